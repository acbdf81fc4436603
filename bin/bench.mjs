#!/usr/bin/env node
// `npm run bench [-- name…]`: run every bench/*.ts (or the named ones) one after another, each in its
// own process so timings don't share a heap or warm caches. Results are printed; each benchmark
// documents its numbers in bench/README.md.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const all = fs.readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.ts')).sort();
const wanted = process.argv.slice(2);
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;
if (!chosen.length) {
  console.error(`no benchmark matches ${wanted.join(' ')}; have: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n== bench/${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
