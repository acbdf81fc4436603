// attnc's generated birds AttnGAN2 (random weights, vocabulary 5,450, 18-word captions) against
// the PyTorch reference of the same modules (bench/torch/gan_iteration.py, Debian python3-torch,
// 2 threads), run as interleaved pairs of fresh processes. Run it on an idle machine: load does
// not hit both alike (see the warning it prints).
//   npx tsx bench/gan-iteration.ts [--workload gan|sample|damsm] [--batch 4] [--iters 3] [--warmup 2] [--pairs 2] [--no-torch]
// Per process: median seconds per iteration after the warm-up, and peak RSS (VmHWM, whole
// process: model build included). Prints the ratio attnc / torch of the medians and peaks.
import type * as TF from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const WORKLOAD = arg('workload', 'gan');
const B = Number(arg('batch', '4'));
const ITERS = Number(arg('iters', '3'));
const WARMUP = Number(arg('warmup', '2'));
const TRUNK = arg('trunk', 'batch');

type Result = { impl: string; times: number[]; vmhwm_mb: number; build_s: number; first_s?: number };

function vmhwmMb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : -1;
}

async function child(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../runtime/backend/index.js');
  const { readLosses } = await import('../runtime/train/index.js');
  tf.env().set('PROD', true);
  await initBackend('tensorflow', { quiet: true });
  const g = await import('../generated/attngan2/index.js');
  const T = 18;
  const t0 = performance.now();
  const model = g.createModel({ seed: 1 });
  const build = (performance.now() - t0) / 1000;
  const lengths = Array.from({ length: B }, (_, b) => [18, 16, 14, 12, 10, 9, 8, 7][b % 8]!).sort((x, y) => y - x);
  const ids = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 1 + ((b * 131 + t * 17) % 5449);
  const tokens = tf.tensor2d(ids, [B, T], 'int32');
  const classIds = Array.from({ length: B }, (_, i) => i + 1);
  const imgs = [64, 128, 256].map((s) => tf.randomUniform([B, s, s, 3], -1, 1) as TF.Tensor4D) as [TF.Tensor4D, TF.Tensor4D, TF.Tensor4D];
  const times: number[] = [];
  let first = 0;
  let step: () => void;
  if (WORKLOAD === 'gan') {
    const opts = g.createGanOptimizers();
    const ema = g.createGeneratorEma(model);
    const batch = { images: imgs, tokens, lengths, classIds };
    let it = 0;
    step = () => {
      const r = g.ganStep(model, opts, batch, ema, it++);
      tf.dispose(r.discriminators.flatMap((l) => Object.values(l)));
      readLosses(r.generator); // one read per iteration, as the reference's float(errG)
    };
  } else if (WORKLOAD === 'sample') {
    step = () => {
      const out = g.sample(model, tokens, lengths);
      tf.tidy(() => tf.sum(out.images[2]!).dataSync());
      tf.dispose([out.images, out.attn]);
    };
  } else if (WORKLOAD === 'damsm') {
    const opt = g.createDamsmOptimizer(0);
    const batch = { images: imgs[2], tokens, lengths, classIds };
    step = () => void readLosses(g.damsmStep(model, opt, batch));
  } else throw new Error(`unknown workload ${WORKLOAD}`);
  for (let i = 0; i < WARMUP + ITERS; i++) {
    const t = performance.now();
    step();
    if (i === 0) first = (performance.now() - t) / 1000;
    if (i >= WARMUP) times.push((performance.now() - t) / 1000);
  }
  console.log(JSON.stringify({ impl: 'attnc', workload: WORKLOAD, batch: B, build_s: build, first_s: first, times, vmhwm_mb: vmhwmMb(), tensors: tf.memory().numTensors }));
}

function run(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as Result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.argv.includes('--child')) {
  await child();
} else {
  const self = fileURLToPath(import.meta.url);
  const common = ['--workload', WORKLOAD, '--batch', String(B), '--iters', String(ITERS), '--warmup', String(WARMUP)];
  const pairs = Number(arg('pairs', '2'));
  // Ratios taken under load are not trustworthy: PyTorch's OpenMP threads lose far more to other
  // jobs than TensorFlow's pool (2026-11-28: GAN ratio 0.24–0.36 at load 6–8, 0.73 on the idle box).
  const load = () => os.loadavg()[0]!.toFixed(2);
  console.log(`load average at start ${load()} on ${os.cpus().length} CPUs${os.loadavg()[0]! > 1.5 * os.cpus().length ? ' — BUSY MACHINE: attnc/torch ratios from this run are not reliable' : ''}`);
  const rows: Array<{ attnc: Result; torch?: Result }> = [];
  for (let p = 0; p < pairs; p++) {
    const order = p % 2 === 0 ? ['attnc', 'torch'] : ['torch', 'attnc'];
    const row: { attnc?: Result; torch?: Result } = {};
    for (const impl of order) {
      if (impl === 'torch' && process.argv.includes('--no-torch')) continue;
      row[impl as 'attnc' | 'torch'] =
        impl === 'attnc'
          ? run(process.execPath, [...process.execArgv, self, '--child', ...common])
          : run('/usr/bin/python3', [fileURLToPath(new URL('./torch/gan_iteration.py', import.meta.url)), ...common, '--trunk', TRUNK === 'batch' ? 'train' : 'eval']);
    }
    rows.push(row as { attnc: Result; torch?: Result });
    const a = row.attnc!;
    const t = row.torch;
    const f = (r: Result) => `median ${median(r.times).toFixed(3)} s/iter [${r.times.map((x) => x.toFixed(2)).join(', ')}], peak RSS ${r.vmhwm_mb.toFixed(0)} MB, build ${r.build_s.toFixed(1)} s${r.first_s ? `, first iteration ${r.first_s.toFixed(2)} s = ${(r.first_s / median(r.times)).toFixed(2)}× the median` : ''}`;
    console.log(`pair ${p + 1}: attnc ${f(a)}`);
    if (t) {
      console.log(`pair ${p + 1}: torch ${f(t)}`);
      console.log(`pair ${p + 1}: ratio attnc/torch time ${(median(a.times) / median(t.times)).toFixed(3)}, peak RSS ${(a.vmhwm_mb / t.vmhwm_mb).toFixed(3)}`);
    }
  }
  console.log(`load average at end ${load()}`);
}
