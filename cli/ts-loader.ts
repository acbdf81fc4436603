/**
 * The runtime and generated model code are TypeScript, loaded through tsx's loader at the time a
 * command needs them. The CLI and compiler themselves may run as built JavaScript (dist/, see
 * scripts/build.mjs), so `--help`, `validate`, `explain`, `compile` and `diff` never pay for a
 * TypeScript loader; every other command registers it before it runs (cli/main.ts), together with
 * the hook that lets generated code outside a project that depends on attnc import `attnc/…` from
 * the running attnc (cli/resolve-attnc.mjs).
 */
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../compiler/package-root.js';

let registered = false;

export async function ensureTsLoader(): Promise<void> {
  if (registered) return;
  registered = true;
  // Running from the .ts sources means a loader (tsx, vitest) is already in place.
  if (!import.meta.url.endsWith('.ts')) {
    const { register: registerTsx } = await import('tsx/esm/api');
    registerTsx();
  }
  // (Under vitest, which resolves modules itself, the hook only passes Node's own imports through.)
  const root = packageRoot();
  register(pathToFileURL(path.join(root, 'cli', 'resolve-attnc.mjs')), {
    data: { attncPackageJson: pathToFileURL(path.join(root, 'package.json')).href },
  });
}
