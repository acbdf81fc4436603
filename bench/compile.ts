/**
 * `npx tsx bench/compile.ts [--runs 3]` — wall time of `attnc compile spec/attngan2.yaml`:
 * cold (a fresh `node bin/attnc.mjs` process per run, what a user waits for) with and without the
 * strict type check, and warm (in process, modules loaded) with a phase breakdown. Medians.
 * Writes nothing new: the output folder already holds the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileSpec } from '../compiler/pipeline.js';

const root = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const spec = 'spec/attngan2.yaml';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const TIME = '/usr/bin/time';

/** A fresh process per run; CPU time (user + sys of the child) via /usr/bin/time when present. */
function cold(extra: string[], env: Record<string, string> = {}): { wall: number; cpu: number | null } {
  const walls: number[] = [];
  const cpus: number[] = [];
  const haveTime = existsSync(TIME);
  for (let i = 0; i < runs; i++) {
    const cmd = [process.execPath, 'bin/attnc.mjs', 'compile', spec, ...extra];
    const t0 = performance.now();
    const r = haveTime
      ? spawnSync(TIME, ['-f', 'CPU %U %S', ...cmd], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
      : spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    walls.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`attnc compile failed: ${r.stderr}`);
    const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (m) cpus.push((Number(m[1]) + Number(m[2])) * 1000);
  }
  return { wall: median(walls), cpu: cpus.length ? median(cpus) : null };
}

async function warm(typecheck: boolean): Promise<{ wall: number; phases: Record<string, number>; cpu: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let phases: Record<string, number> = {};
  await compileSpec(path.join(root, spec), { typecheck, projectRoot: root }); // load modules once
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await compileSpec(path.join(root, spec), { typecheck, projectRoot: root, typecheckCache: false });
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    if (!r.ok) throw new Error('compile failed');
    await r.files.write(r.outDir);
    phases = r.timings;
  }
  return { wall: median(walls), phases, cpu: median(cpus) };
}

console.log(`attnc compile ${spec}: ${runs} runs each, median; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const coldFull = cold([], { ATTNC_NO_TYPECHECK_CACHE: '1' });
console.log(`cold process, with type check:    ${fmt(coldFull.wall)}${coldFull.cpu === null ? '' : ` (CPU ${fmt(coldFull.cpu)})`}`);
const coldCached = cold([]);
console.log(`cold process, type check cached:  ${fmt(coldCached.wall)}${coldCached.cpu === null ? '' : ` (CPU ${fmt(coldCached.cpu)})`} (same inputs as the last passing check)`);
const coldFast = cold(['--no-typecheck']);
console.log(`cold process, --no-typecheck:      ${fmt(coldFast.wall)}${coldFast.cpu === null ? '' : ` (CPU ${fmt(coldFast.cpu)})`}`);
const warmFull = await warm(true);
console.log(`warm in process, with type check:  ${fmt(warmFull.wall)} (CPU ${fmt(warmFull.cpu)}; ${Object.entries(warmFull.phases).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')})`);
const warmFast = await warm(false);
console.log(`warm in process, no type check:    ${fmt(warmFast.wall)} (CPU ${fmt(warmFast.cpu)}; ${Object.entries(warmFast.phases).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')})`);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
