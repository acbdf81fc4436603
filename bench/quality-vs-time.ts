/**
 * Quality over training time: trains a spec (default the demo, spec/demo.yaml) in segments of
 * `--segment` minutes with exact resume (`attnc train --max-minutes`, then `--resume`), and after
 * each segment runs `attnc eval` on the held-out split (colour combinations never seen in training):
 * part colours read back by the attribute classifier, attention lift, DAMSM R@1 against its
 * oracle ceiling, and FID against its real-vs-real floor. Writes a PNG plot and a markdown table.
 *
 *     npx tsx bench/quality-vs-time.ts [--spec spec/demo.yaml] [--segment 1] [--max-segments 30]
 *         [--samples 300] [--split heldout] [--out bench/results/quality-vs-time]
 *
 * Minutes on the x axis are training minutes (the train commands' wall clock, start-up included);
 * evaluation runs between segments and is not counted. Numbers depend on the machine and its
 * load: the table's header records the machine, and each row the 1-minute load average as its
 * training segment ended (other jobs on the machine show there, not only at the start).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lineCharts } from '../runtime/figures/line-chart.js';
import type { EvalReport } from '../runtime/eval/report.js';

const repo = path.resolve(import.meta.dirname, '..');
const cli = path.join(repo, 'bin', 'attnc.mjs');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const spec = arg('spec', 'spec/demo.yaml');
const segment = Number(arg('segment', '1'));
const maxSegments = Number(arg('max-segments', '30'));
const samples = arg('samples', '300');
const split = arg('split', 'heldout');
const out = path.resolve(arg('out', 'bench/results/quality-vs-time'));
const log = (s: string) => process.stderr.write(`${s}\n`);

function attnc(args: string[], quiet = true): { ok: boolean; stdout: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (r.status !== 0) log(`attnc ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${r.stderr ?? ''}${r.stdout}`);
  return { ok: r.status === 0, stdout: `${r.stdout}${r.stderr ?? ''}`, seconds: (performance.now() - t0) / 1000 };
}

interface Point {
  minutes: number;
  /** 1-minute load average when the segment's training ended (before its evaluation). */
  load: number;
  step: number;
  phase: string;
  wing: number;
  belly: number;
  crown: number;
  beak: number;
  size: number;
  background: number;
  lift: number;
  damsm: number;
  oracle: number;
  fid: number;
  floor: number;
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const gen = path.join(out, 'generated');
const run = path.join(out, 'run');
if (!attnc(['compile', spec, '-o', gen]).ok) process.exit(1);
const load0 = os.loadavg()[0]!;
const started = new Date();
const points: Point[] = [];
let minutes = 0;
for (let s = 0; s < maxSegments; s++) {
  const t = attnc(s === 0 ? ['train', gen, '--out', run, '--max-minutes', String(segment)] : ['train', gen, '--resume', run, '--max-minutes', String(segment)]);
  if (!t.ok) process.exit(1);
  minutes += t.seconds / 60;
  const load = os.loadavg()[0]!;
  const lines = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step?: number; phase?: string });
  const last = lines.at(-1) ?? {};
  const evalDir = path.join(out, `eval-${String(s).padStart(2, '0')}`);
  const e = attnc(['eval', run, '--split', split, '--samples', samples, '--metrics', 'attributes,attention,damsm,fid', '--examples', '6', '--out', evalDir]);
  if (!e.ok) process.exit(1);
  const r = JSON.parse(fs.readFileSync(path.join(evalDir, 'report.json'), 'utf8')) as EvalReport;
  const a = r.attributes!.generated;
  const p: Point = {
    minutes, load, step: last.step ?? 0, phase: last.phase ?? '?',
    wing: a.wing?.accuracy ?? NaN, belly: a.belly?.accuracy ?? NaN, crown: a.crown?.accuracy ?? NaN,
    beak: a.beak?.accuracy ?? NaN, size: a.size?.accuracy ?? NaN, background: a.background?.accuracy ?? NaN,
    lift: r.attention?.mean ?? NaN, damsm: r.damsm?.r1 ?? NaN, oracle: r.damsm?.oracle ?? NaN, fid: r.fid?.value ?? NaN, floor: r.fid?.floor ?? NaN,
  };
  points.push(p);
  log(`${p.minutes.toFixed(1)} min (${p.phase} step ${p.step}): wing ${p.wing.toFixed(0)} belly ${p.belly.toFixed(0)} crown ${p.crown.toFixed(0)} % | lift ${p.lift.toFixed(2)} | DAMSM R@1 ${p.damsm.toFixed(1)} % of ${p.oracle.toFixed(1)} | FID ${p.fid.toFixed(0)} (floor ${p.floor.toFixed(0)})  [eval ${e.seconds.toFixed(0)} s]`);
  writeOutputs();
  // A segment that ends before its minutes are up ends because training finished.
  if (/training finished/.test(t.stdout) || done()) break;
}

/** Training ended when the last segment made no progress (every phase's epochs done). */
function done(): boolean {
  const n = points.length;
  return n >= 2 && points[n - 1]!.step === points[n - 2]!.step && points[n - 1]!.phase === points[n - 2]!.phase;
}

function writeOutputs(): void {
  const xy = (k: keyof Point) => points.map((p) => [p.minutes, p[k] as number] as const);
  const png = lineCharts(
    [
      { title: `part colour read back, ${split} (%)`, series: [{ label: 'wing', points: xy('wing') }, { label: 'belly', points: xy('belly') }, { label: 'crown', points: xy('crown') }], targets: [{ label: 'target 80 %', y: 80 }, { label: 'chance 11 %', y: 100 / 9 }], yMin: 0, yMax: 100 },
      { title: 'DAMSM R@1 on real images (%)', series: [{ label: 'attnc', points: xy('damsm') }, { label: 'oracle ceiling', points: xy('oracle') }], yMin: 0, yMax: 100 },
      { title: 'attention lift (colour words)', series: [{ label: 'mean lift', points: xy('lift') }], targets: [{ label: 'target 3', y: 3 }, { label: 'uniform 1', y: 1 }], yMin: 0 },
      { title: 'FID (classifier features)', series: [{ label: 'FID', points: xy('fid') }, { label: 'real-vs-real floor', points: xy('floor') }], logY: true },
    ],
    { xLabel: 'training minutes', title: `${path.basename(spec)}: quality over training time (${os.cpus()[0]?.model ?? 'CPU'} × ${os.availableParallelism()}, load ${load0.toFixed(1)} at start)` },
  );
  fs.writeFileSync(path.join(out, 'quality-vs-time.png'), png);
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const md = [
    `# Quality over training time: ${spec}`,
    '',
    `Started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0]?.model ?? 'an unknown CPU'} × ${os.availableParallelism()}, load ${load0.toFixed(2)} at the start (each row: the load as its segment ended); segments of ${segment} min; \`attnc eval --split ${split} --samples ${samples}\` after each.`,
    '',
    '| train min | load | phase, step | wing % | belly % | crown % | beak % | size % | scene % | attention lift | DAMSM R@1 % (oracle) | FID (floor) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...points.map((p) => `| ${f(p.minutes, 1)} | ${f(p.load, 1)} | ${p.phase} ${p.step} | ${f(p.wing)} | ${f(p.belly)} | ${f(p.crown)} | ${f(p.beak)} | ${f(p.size)} | ${f(p.background)} | ${f(p.lift, 2)} | ${f(p.damsm, 1)} (${f(p.oracle, 1)}) | ${f(p.fid)} (${f(p.floor)}) |`),
    '',
    '![quality over time](quality-vs-time.png)',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'quality-vs-time.md'), md);
  fs.writeFileSync(path.join(out, 'points.json'), JSON.stringify(points, null, 2) + '\n');
}
log(`→ ${path.relative(process.cwd(), path.join(out, 'quality-vs-time.md'))}, quality-vs-time.png`);
