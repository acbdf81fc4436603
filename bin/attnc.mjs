#!/usr/bin/env node
// Entry point. Runs the CLI built to JavaScript (dist/, scripts/build.mjs) when the build is there
// and not older than any source file of cli/ or compiler/ (an edit or a checkout since the last
// build falls back, never runs stale code); otherwise the TypeScript sources through tsx's loader.
// ATTNC_FROM_SOURCE=1 forces the sources (the start-up benchmark compares both).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function buildIsFresh() {
  let built;
  try {
    built = statSync(path.join(root, 'dist', 'build.json')).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of ['cli', 'compiler']) {
    for (const e of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.ts') && statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs > built) return false;
    }
  }
  // Runtime leaves built with the CLI (scripts/build.mjs BUILT_RUNTIME_LEAVES).
  return ['error-codes.ts', 'shown-path.ts'].every((leaf) => statSync(path.join(root, 'runtime', 'util', leaf)).mtimeMs <= built);
}

let main;
if (process.env.ATTNC_FROM_SOURCE !== '1' && buildIsFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
