/**
 * Runtime blocks benchmark: forward and forward+backward of the birds generator (hand-composed
 * from runtime/blocks, 64/128/256 px) and of D64/D128/D256, plus the implementation switches
 * (nearest upsample via resize vs tile; BatchNorm with a custom backward vs autodiff vs
 * tf.batchNorm; fused vs unfused conv+bias).
 *
 *   npx tsx bench/runtime-blocks.ts [--batch 8] [--iters 3] [--warmup 1]
 *                                   [--only g64,g128,g256,d64,d128,d256] [--variants] [--backend tensorflow]
 *
 * Prints a markdown table (paste into bench/README.md, section "Runtime blocks").
 * Weights use the cheap construction-time init (timings do not depend on values).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendChoice } from '../runtime/backend/index.js';
import { upsampleOptions } from '../runtime/blocks/upsample.js';
import { DNet } from '../test/fixtures/oracles/d-net.js';
import { nnOptions } from '../runtime/nn/layers.js';
import { Rng } from '../runtime/util/rng.js';
import { buildHandGenerator } from '../test/fixtures/oracles/hand-generator.js';

interface Args {
  batch: number;
  iters: number;
  warmup: number;
  only: string[];
  variants: boolean;
  backend: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { batch: 8, iters: 3, warmup: 1, only: ['g64', 'g128', 'g256', 'd64', 'd128', 'd256'], variants: false, backend: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--batch') a.batch = Number(v), i++;
    else if (k === '--iters') a.iters = Number(v), i++;
    else if (k === '--warmup') a.warmup = Number(v), i++;
    else if (k === '--only') a.only = v!.split(','), i++;
    else if (k === '--backend') a.backend = v, i++;
    else if (k === '--variants') a.variants = true;
  }
  return a;
}

function randn(shape: number[], seed: string): tf.Tensor {
  const n = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(new Rng(seed).fillNormal(new Float32Array(n)), shape);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median wall time and process CPU time (ms, all threads: TensorFlow's pool included) of `fn`,
 * which must leave no tensors behind; `dataSync` forces completion. On a shared machine the CPU
 * time is the steadier number: wall time grows with other jobs' load, CPU time much less.
 */
function time(fn: () => tf.Tensor, warmup: number, iters: number): { ms: number; cpu: number; leak: number } {
  for (let i = 0; i < warmup; i++) {
    const r = fn();
    r.dataSync();
    r.dispose();
  }
  const before = tf.memory().numTensors;
  const ts: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < iters; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = fn();
    r.dataSync();
    r.dispose();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  return { ms: median(ts), cpu: median(cs), leak: tf.memory().numTensors - before };
}

interface Row {
  model: string;
  variant: string;
  params: number;
  fwd: number;
  fwdCpu: number;
  fwdBwd: number;
  fwdBwdCpu: number;
  leak: number;
}

function benchGenerator(stages: number, args: Args, variant: string): Row {
  const g = buildHandGenerator({ gfDim: 32, rNum: 2, stages });
  const b = args.batch;
  const t = 18;
  const z = randn([b, 100], 'z') as tf.Tensor2D;
  const sent = randn([b, 256], 's') as tf.Tensor2D;
  const words = randn([b, t, 256], 'w') as tf.Tensor3D;
  const mask = tf.tensor2d(Array.from({ length: b * t }, (_, i) => (i % t >= 10 + (Math.floor(i / t) % 8) ? 1 : 0)), [b, t]);
  const noise = randn([b, 100], 'eps') as tf.Tensor2D;
  const loss = () => {
    const o = g.apply({ z, sent, words, mask, noise, training: true });
    return tf.addN([...o.images.map((im) => tf.mean(im)), ...o.attn.map((a) => tf.mean(a)), tf.mean(o.mu)]) as tf.Scalar;
  };
  const fwd = time(() => tf.tidy(loss), args.warmup, args.iters);
  const fb = time(
    () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, g.trainableParameters());
        return tf.addN([value, ...Object.values(grads).map((x) => tf.sum(x))]);
      }),
    args.warmup,
    args.iters,
  );
  const row = { model: `G birds ${64 * 2 ** (stages - 1)} px (${stages} stage${stages > 1 ? 's' : ''})`, variant, params: g.parameterCount(), fwd: fwd.ms, fwdCpu: fwd.cpu, fwdBwd: fb.ms, fwdBwdCpu: fb.cpu, leak: fwd.leak + fb.leak };
  tf.dispose([z, sent, words, mask, noise]);
  g.dispose();
  return row;
}

function benchDiscriminator(size: number, args: Args, variant: string): Row {
  const d = new DNet({ size, ndf: 64 });
  const x = randn([args.batch, size, size, 3], `x${size}`) as tf.Tensor4D;
  const sent = randn([args.batch, 256], 'sent') as tf.Tensor2D;
  const loss = () => {
    const code = d.apply(x, true);
    return tf.add(tf.mean(d.COND_DNET!.apply(code, sent, true)), tf.mean(d.UNCOND_DNET!.apply(code))) as tf.Scalar;
  };
  const fwd = time(() => tf.tidy(loss), args.warmup, args.iters);
  const fb = time(
    () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, d.trainableParameters());
        return tf.addN([value, ...Object.values(grads).map((x) => tf.sum(x))]);
      }),
    args.warmup,
    args.iters,
  );
  const row = { model: `D${size} birds`, variant, params: d.parameterCount(), fwd: fwd.ms, fwdCpu: fwd.cpu, fwdBwd: fb.ms, fwdBwdCpu: fb.cpu, leak: fwd.leak + fb.leak };
  tf.dispose([x, sent]);
  d.dispose();
  return row;
}

function run(name: string, args: Args, variant: string): Row {
  const m = /^([gd])(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown case ${name}`);
  const size = Number(m[2]);
  return m[1] === 'g' ? benchGenerator(Math.log2(size / 32), args, variant) : benchDiscriminator(size, args, variant);
}

const args = parseArgs(process.argv.slice(2));
const info = await initBackend(args.backend ? parseBackendChoice(args.backend) : undefined, { quiet: true });
const rows: Row[] = [];
const print = (r: Row) =>
  console.log(
    `| ${r.model} | ${r.variant} | ${r.params.toLocaleString('en-US')} | ${r.fwd.toFixed(0)} | ${r.fwdCpu.toFixed(0)} | ` +
      `${r.fwdBwd.toFixed(0)} | ${r.fwdBwdCpu.toFixed(0)} |${r.leak ? ` leak ${r.leak}` : ''}`,
  );
console.log(
  `backend ${info.name}${info.libtensorflow ? ` (libtensorflow ${info.libtensorflow})` : ''}, tfjs ${info.tfjsVersion}, ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ` +
    `batch ${args.batch}, median of ${args.iters} after ${args.warmup} warm-up`,
);
console.log('| model | variant | params | fwd wall ms | fwd CPU ms | fwd+bwd wall ms | fwd+bwd CPU ms |');
console.log('|---|---|---:|---:|---:|---:|---:|');
upsampleOptions.mode = 'auto';
for (const name of args.only) {
  const r = run(name, args, 'default');
  rows.push(r);
  print(r);
}
if (args.variants) {
  const variants: Array<[string, () => void]> = [
    ['upsample tile', () => (upsampleOptions.mode = 'tile')],
    ['upsample resize', () => (upsampleOptions.mode = 'resize')],
    ['BN manual (autodiff)', () => (nnOptions.batchNorm = 'manual')],
    ['BN tf.batchNorm', () => (nnOptions.batchNorm = 'tf')],
    ['conv+bias unfused', () => (nnOptions.fusedConvBias = false)],
  ];
  for (const [label, set] of variants) {
    for (const name of args.only) {
      // upsampling exists only in G; conv bias only in the D heads
      if (label.startsWith('upsample') && name.startsWith('d')) continue;
      if (label.startsWith('conv+bias') && name.startsWith('g')) continue;
      set();
      const r = run(name, args, label);
      upsampleOptions.mode = 'auto';
      nnOptions.batchNorm = 'custom';
      nnOptions.fusedConvBias = true;
      rows.push(r);
      print(r);
    }
  }
}
