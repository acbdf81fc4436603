/**
 * The runtime and generated model code are TypeScript, loaded through tsx's loader at the time a
 * command needs them. The CLI and compiler themselves may run as built JavaScript (dist/, see
 * scripts/build.mjs), so `--help`, `validate`, `explain`, `compile` and `diff` never pay for a
 * TypeScript loader; every other command registers it before it runs (cli/main.ts).
 */
let registered = false;

export async function ensureTsLoader(): Promise<void> {
  // Running from the .ts sources means a loader (tsx, vitest) is already in place.
  if (registered || import.meta.url.endsWith('.ts')) return;
  const { register } = await import('tsx/esm/api');
  register();
  registered = true;
}
