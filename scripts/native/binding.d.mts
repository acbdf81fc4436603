// Types of binding.mjs for the TypeScript that imports it (cli/setup/gpu.ts).
export function bindingRel(): string;
export function buildBinding(pkgDir: string, root: string, extraEnv?: Record<string, string>): void;
export function loads(pkgDir: string): boolean;
