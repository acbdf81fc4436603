/**
 * `npm run bench -- startup [--runs 5]` — cold start-up of the CLI: a fresh `node bin/attnc.mjs`
 * process per run, the precompiled JavaScript (dist/, scripts/build.mjs) against the TypeScript
 * sources through tsx (ATTNC_FROM_SOURCE=1), interleaved run by run so both see the same load.
 * Rebuilds dist/ first (bin/attnc.mjs only runs a build that is not older than the sources).
 * Medians of wall and CPU (user + sys of the child, via /usr/bin/time when present).
 * Targets (issue 13): --help ≤ 0.25 s, validate ≤ 0.6 s, compile ≤ 1 s with the type check
 * cached and ≤ 2 s uncached — wall, on the precompiled path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; target: number }> = [
  { name: 'attnc --help', args: ['--help'], target: 0.25 },
  { name: 'attnc validate spec/attngan2.yaml', args: ['validate', 'spec/attngan2.yaml'], target: 0.6 },
  { name: 'attnc compile spec/attngan2.yaml (type check cached)', args: ['compile', 'spec/attngan2.yaml'], target: 1 },
  { name: 'attnc compile spec/attngan2.yaml (type check uncached)', args: ['compile', 'spec/attngan2.yaml'], env: { ATTNC_NO_TYPECHECK_CACHE: '1' }, target: 2 },
];

function once(args: string[], env: Record<string, string>): { wall: number; cpu: number | null } {
  const cmd = [process.execPath, 'bin/attnc.mjs', ...args];
  const t0 = performance.now();
  const r = haveTime
    ? spawnSync(TIME, ['-f', 'CPU %U %S', ...cmd], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } })
    : spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`attnc ${args.join(' ')} failed: ${r.stderr}`);
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : null };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (s: number | null) => (s === null ? '–' : `${s.toFixed(2)} s`);

const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
console.log(`cold start-up, ${runs} runs each, median; ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| command | built wall | built CPU | tsx wall | tsx CPU | built / tsx (wall) | target | met |');
console.log('|---|---|---|---|---|---|---|---|');
for (const c of cases) {
  // One warm-up of each path: the first process after a build pays for the page cache.
  once(c.args, { ...c.env });
  once(c.args, { ...c.env, ATTNC_FROM_SOURCE: '1' });
  const built: Array<{ wall: number; cpu: number | null }> = [];
  const tsx: Array<{ wall: number; cpu: number | null }> = [];
  for (let i = 0; i < runs; i++) {
    built.push(once(c.args, { ...c.env }));
    tsx.push(once(c.args, { ...c.env, ATTNC_FROM_SOURCE: '1' }));
  }
  const bw = median(built.map((r) => r.wall));
  const tw = median(tsx.map((r) => r.wall));
  const bc = haveTime ? median(built.map((r) => r.cpu ?? 0)) : null;
  const tc = haveTime ? median(tsx.map((r) => r.cpu ?? 0)) : null;
  console.log(`| \`${c.name}\` | ${fmt(bw)} | ${fmt(bc)} | ${fmt(tw)} | ${fmt(tc)} | ${(bw / tw).toFixed(2)} | ≤ ${c.target} s | ${bw <= c.target ? 'yes' : 'no'} |`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
