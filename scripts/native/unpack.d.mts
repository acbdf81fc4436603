// Types of unpack.mjs for the TypeScript that imports it (cli/setup/gpu.ts).
export function extractMembers(wheel: string, patterns: string[], dest: string): void;
export const TENSORFLOW_MEMBERS: string[];
