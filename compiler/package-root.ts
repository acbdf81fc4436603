/**
 * Where attnc itself is installed, found from this module's own location: the same answer from the
 * sources (`compiler/`) and from the build (`dist/compiler/`), in this repository or under a user's
 * node_modules. Everything the compiler ships (spec/bases/, runtime/, tsconfig.json) is found from
 * here, never from the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'attnc') return (cached = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`attnc's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The specifier generated code imports the runtime by: `attnc/runtime/<sub>` (package.json `exports`). */
export const RUNTIME_SPECIFIER = 'attnc/runtime';
