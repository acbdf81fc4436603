// attnc's generated birds AttnGAN2 (random weights, vocabulary 5,450, 18-word captions) against
// the PyTorch reference of the same modules (bench/torch/gan_iteration.py, Debian python3-torch,
// 2 threads), run as interleaved pairs of fresh processes. Run it on an idle machine: load does
// not hit both alike (see the warning it prints).
//   npx tsx bench/gan-iteration.ts [--workload gan|sample|damsm] [--batch 4] [--iters 3] [--warmup 2] [--pairs 2] [--no-torch] [--flops]
// --flops also counts the workload's convolution and matrix-product work and the machine's best
// multiply-add rate: their quotient is a floor no implementation of these modules gets under.
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

type Result = {
  impl: string;
  times: number[];
  vmhwm_mb: number;
  build_s: number;
  first_s?: number;
  flops?: number;
  flop_kernel_s?: number;
  peak_flops?: number;
  other_bytes?: number;
  other_kernel_s?: number;
  peak_bytes_per_s?: number;
};

function vmhwmMb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : -1;
}

async function child(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../runtime/backend/index.js');
  const { readLosses } = await import('../runtime/optim/index.js');
  const { drawNoise } = await import('../runtime/model/noise.js');
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
      const noise = drawNoise({ purpose: 'train', seed: 0, step: it++, batchSize: B }, g.plan.noise);
      const r = g.ganStep(model, opts, batch, noise, ema);
      tf.dispose([noise.z, noise.eps, ...r.discriminators.flatMap((l) => Object.values(l))]);
      readLosses(r.generator); // one read per iteration, as the reference's float(errG)
    };
  } else if (WORKLOAD === 'sample') {
    const noise = drawNoise({ purpose: 'sample', seed: 0, indices: Array.from({ length: B }, (_, i) => i) }, g.plan.noise);
    step = () => {
      const out = g.sample(model, tokens, lengths, noise);
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
  const vmhwm = vmhwmMb();
  const flops = process.argv.includes('--flops') ? { ...countFlops(tf, step), peak_flops: gemmPeak(tf), peak_bytes_per_s: elementwisePeak(tf) } : {};
  console.log(JSON.stringify({ impl: 'attnc', workload: WORKLOAD, batch: B, build_s: build, first_s: first, times, vmhwm_mb: vmhwm, tensors: tf.memory().numTensors, ...flops }));
}

// Multiply-add work of one more iteration, counted from the kernels that do it (convolutions and
// matrix products, forward and backward), with the kernel time they took. Counted after the timed
// iterations so the hook costs them nothing.
function countFlops(tf: typeof TF, step: () => void): { flops: number; flop_kernel_s: number; other_bytes: number; other_kernel_s: number } {
  const eng = tf.engine() as unknown as { runKernel: (k: string, inputs: Record<string, TF.Tensor>, attrs: Record<string, unknown>) => TF.Tensor | TF.Tensor[] };
  const orig = eng.runKernel.bind(eng);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  let flops = 0;
  let seconds = 0;
  let bytes = 0;
  let otherSeconds = 0;
  let depth = 0;
  const free = new Set(['Reshape', 'Identity', 'Cast']);
  eng.runKernel = (k, inputs, attrs) => {
    if (depth > 0) return orig(k, inputs, attrs);
    depth++;
    const t = performance.now();
    try {
      const out = orig(k, inputs, attrs);
      const y = Array.isArray(out) ? out[0]! : out;
      let f = 0;
      if (k === 'Conv2D' || k === 'FusedConv2D') {
        const [kh, kw, cin] = inputs.filter!.shape;
        f = 2 * size(y.shape) * kh! * kw! * cin!;
      } else if (k === 'Conv2DBackpropInput') {
        const [kh, kw, cin] = inputs.filter!.shape;
        f = 2 * size(inputs.dy!.shape) * kh! * kw! * cin!;
      } else if (k === 'Conv2DBackpropFilter') {
        const [kh, kw, cin] = attrs.filterShape as number[];
        f = 2 * size(inputs.dy!.shape) * kh! * kw! * cin!;
      } else if (k === 'BatchMatMul' || k === '_FusedMatMul') {
        const a = inputs.a!.shape;
        f = 2 * size(y.shape) * a[attrs.transposeA ? a.length - 2 : a.length - 1]!;
      }
      if (f > 0) {
        flops += f;
        seconds += (performance.now() - t) / 1000;
      } else if (!free.has(k)) {
        // Every other kernel reads its inputs and writes its outputs once at least.
        const outs = Array.isArray(out) ? out : [out];
        for (const x of [...Object.values(inputs), ...outs]) if (x?.shape) bytes += 4 * size(x.shape);
        otherSeconds += (performance.now() - t) / 1000;
      }
      return out;
    } finally {
      depth--;
    }
  };
  try {
    step();
  } finally {
    eng.runKernel = orig;
  }
  return { flops, flop_kernel_s: seconds, other_bytes: bytes, other_kernel_s: otherSeconds };
}

// The best rate at which an elementwise kernel moves data (inputs read + output written), over
// sizes from cache-resident to DRAM-bound: the yardstick for the kernels that are not products.
function elementwisePeak(tf: typeof TF): number {
  let best = 0;
  for (const n of [1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24]) {
    const a = tf.randomNormal([n]);
    const b = tf.randomNormal([n]);
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      const y = tf.add(a, b);
      y.dataSync();
      const s = (performance.now() - t) / 1000;
      y.dispose();
      if (i >= 2) best = Math.max(best, (3 * 4 * n) / s);
    }
    tf.dispose([a, b]);
  }
  return best;
}

// The best multiply-add rate this machine's backend reaches (large matrix products and a large
// convolution), the yardstick for how far a workload's convolutions and products can go.
function gemmPeak(tf: typeof TF): number {
  let best = 0;
  const cases: Array<[number, () => TF.Tensor]> = [];
  const a = tf.randomNormal([2048, 2048]);
  const b = tf.randomNormal([2048, 2048]);
  cases.push([2 * 2048 ** 3, () => tf.matMul(a, b)]);
  const c = tf.randomNormal([4096, 1024]);
  const d = tf.randomNormal([1024, 4096]);
  cases.push([2 * 4096 * 1024 * 4096, () => tf.matMul(c, d)]);
  const x = tf.randomNormal([4, 64, 64, 128]) as TF.Tensor4D;
  const w = tf.randomNormal([3, 3, 128, 128]) as TF.Tensor4D;
  cases.push([2 * 4 * 64 * 64 * 128 * 128 * 9, () => tf.conv2d(x, w, 1, 'same')]);
  const x2 = tf.randomNormal([1, 256, 256, 64]) as TF.Tensor4D;
  const w2 = tf.randomNormal([3, 3, 64, 64]) as TF.Tensor4D;
  cases.push([2 * 256 * 256 * 64 * 64 * 9, () => tf.conv2d(x2, w2, 1, 'same')]);
  for (const [f, op] of cases) {
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      const y = op();
      y.dataSync();
      const s = (performance.now() - t) / 1000;
      y.dispose();
      if (i >= 2) best = Math.max(best, f / s);
    }
  }
  tf.dispose([a, b, c, d, x, w, x2, w2]);
  return best;
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
  const FLOPS = process.argv.includes('--flops');
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
          ? run(process.execPath, [...process.execArgv, self, '--child', ...common, ...(FLOPS ? ['--flops'] : [])])
          : run('/usr/bin/python3', [fileURLToPath(new URL('./torch/gan_iteration.py', import.meta.url)), ...common, '--trunk', TRUNK === 'batch' ? 'train' : 'eval']);
    }
    rows.push(row as { attnc: Result; torch?: Result });
    const a = row.attnc!;
    const t = row.torch;
    const f = (r: Result) => `median ${median(r.times).toFixed(3)} s/iter [${r.times.map((x) => x.toFixed(2)).join(', ')}], peak RSS ${r.vmhwm_mb.toFixed(0)} MB, build ${r.build_s.toFixed(1)} s${r.first_s ? `, first iteration ${r.first_s.toFixed(2)} s = ${(r.first_s / median(r.times)).toFixed(2)}× the median` : ''}`;
    console.log(`pair ${p + 1}: attnc ${f(a)}`);
    if (a.flops !== undefined && a.peak_flops) {
      // No implementation of these modules can beat flops / peak on this machine: it is the time
      // the convolutions and products alone take at the best rate the backend reaches anywhere.
      const floor = a.flops / a.peak_flops;
      console.log(
        `pair ${p + 1}: attnc multiply-add work ${(a.flops / 1e9).toFixed(1)} GFLOP in ${a.flop_kernel_s!.toFixed(3)} s of kernels ` +
          `(${(a.flops / a.flop_kernel_s! / 1e9).toFixed(0)} GFLOPS); machine peak ${(a.peak_flops / 1e9).toFixed(0)} GFLOPS → floor ${floor.toFixed(3)} s/iter` +
          (t ? ` = ${(floor / median(t.times)).toFixed(3)}× torch's median` : ''),
      );
      // The other kernels, one pass over memory each at the best elementwise rate measured: what
      // an unfused (eager, kernel-per-op) implementation adds to that floor.
      const moved = a.other_bytes! / a.peak_bytes_per_s!;
      console.log(
        `pair ${p + 1}: attnc other kernels move ${(a.other_bytes! / 1e9).toFixed(1)} GB in ${a.other_kernel_s!.toFixed(3)} s ` +
          `(${(a.other_bytes! / a.other_kernel_s! / 1e9).toFixed(1)} GB/s); best elementwise rate ${(a.peak_bytes_per_s! / 1e9).toFixed(1)} GB/s → ≥ ${moved.toFixed(3)} s; ` +
          `unfused floor ${(floor + moved).toFixed(3)} s/iter` +
          (t ? ` = ${((floor + moved) / median(t.times)).toFixed(3)}× torch's median` : ''),
      );
    }
    if (t) {
      console.log(`pair ${p + 1}: torch ${f(t)}`);
      console.log(`pair ${p + 1}: ratio attnc/torch time ${(median(a.times) / median(t.times)).toFixed(3)}, peak RSS ${(a.vmhwm_mb / t.vmhwm_mb).toFixed(3)}`);
    }
  }
  console.log(`load average at end ${load()}`);
}
