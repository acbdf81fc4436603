// Types of cache.mjs for the TypeScript that imports it (cli/setup/gpu.ts).
export const TF_VERSION: string;
export class SetupError extends Error {
  constructor(message: string, hint?: string);
  hint: string | undefined;
}
export function log(msg: string): void;
export function cacheRoot(): string;
