/**
 * Where the time of one birds AttnGAN2 sample (256 px, batch 1 by default) goes, by kernel: the
 * share of each tfjs kernel in the time of the ops (robust to machine load, unlike wall times), op
 * counts, and the time outside kernels (JS, dispatch). `npx tsx bench/sample-profile.ts [--batch 1] [--iters 10]`
 * Variants, each in its own process: `--narrow off` (image heads as whole-map conv2d, as before the
 * narrow-output patches rule of runtime/backend/conv-plan.ts), and TensorFlow's own env
 * (TF_ENABLE_ONEDNN_OPTS, TF_NUM_INTRAOP_THREADS, TF_NUM_INTEROP_THREADS).
 * Prints one JSON line (issue 20, item 16; bench/README.md, "Sampling at batch 1 on other CPUs").
 */
import type * as TF from '@tensorflow/tfjs';
import os from 'node:os';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const B = Number(arg('batch', '1'));
const ITERS = Number(arg('iters', '10'));
const WARMUP = Number(arg('warmup', '3'));

const tf = await import('@tensorflow/tfjs');
const { initBackend } = await import('../runtime/backend/index.js');
const { convPlanOptions } = await import('../runtime/backend/conv-plan.js');
const { drawNoise } = await import('../runtime/model/noise.js');
const narrow = arg('narrow', 'on');
if (narrow === 'off') convPlanOptions.maxNarrowOut = 0;
tf.env().set('PROD', true);
await initBackend('tensorflow', { quiet: true });
const g = await import('../generated/attngan2/index.js');
const T = 18;
const model = g.createModel({ seed: 1 });
const lengths = Array.from({ length: B }, (_, b) => [18, 16, 14, 12, 10, 9, 8, 7][b % 8]!).sort((x, y) => y - x);
const ids = new Int32Array(B * T);
for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 1 + ((b * 131 + t * 17) % 5449);
const tokens = tf.tensor2d(ids, [B, T], 'int32');
// One fixed noise for every step (the `attnc sample` noise of rows 0…B−1), drawn outside the profile.
const noise = drawNoise({ purpose: 'sample', seed: 1, indices: Array.from({ length: B }, (_, b) => b) }, g.plan.noise);
const step = () => {
  const out = g.sample(model, tokens, lengths, noise);
  tf.tidy(() => tf.sum(out.images[2]!).dataSync());
  tf.dispose([out.images, out.attn]);
};
for (let i = 0; i < WARMUP; i++) step();

const eng = tf.engine() as unknown as { runKernel: (k: string, inputs: Record<string, TF.Tensor>, attrs: Record<string, unknown>) => TF.Tensor | TF.Tensor[] };
const orig = eng.runKernel.bind(eng);
const byKernel = new Map<string, { ms: number; n: number; shapes: Map<string, { ms: number; n: number }> }>();
let depth = 0;
eng.runKernel = (k, inputs, attrs) => {
  if (depth > 0) return orig(k, inputs, attrs);
  depth++;
  const t = performance.now();
  try {
    return orig(k, inputs, attrs);
  } finally {
    const ms = performance.now() - t;
    depth--;
    const e = byKernel.get(k) ?? { ms: 0, n: 0, shapes: new Map() };
    e.ms += ms;
    e.n++;
    const key = Object.values(inputs).map((x) => (x?.shape ? `[${x.shape.join(',')}]` : '')).join(' ');
    const s = e.shapes.get(key) ?? { ms: 0, n: 0 };
    s.ms += ms;
    s.n++;
    e.shapes.set(key, s);
    byKernel.set(k, e);
  }
};
const walls: number[] = [];
for (let i = 0; i < ITERS; i++) {
  const t = performance.now();
  step();
  walls.push(performance.now() - t);
}
eng.runKernel = orig;
const kernelMs = [...byKernel.values()].reduce((s, e) => s + e.ms, 0) / ITERS;
const wall = walls.reduce((a, b) => a + b, 0) / ITERS;
const kernels = [...byKernel]
  .sort((a, b) => b[1].ms - a[1].ms)
  .slice(0, 14)
  .map(([k, e]) => ({
    kernel: k,
    share: +(e.ms / ITERS / kernelMs).toFixed(3),
    ops: e.n / ITERS,
    top: [...e.shapes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([sh, s]) => `${sh} ×${s.n / ITERS}: ${(s.ms / ITERS).toFixed(1)} ms`),
  }));
console.log(JSON.stringify({
  batch: B, cpu: os.cpus()[0]?.model, threads: os.availableParallelism(), load: +os.loadavg()[0]!.toFixed(2),
  narrow, env: { TF_ENABLE_ONEDNN_OPTS: process.env.TF_ENABLE_ONEDNN_OPTS ?? null, TF_NUM_INTRAOP_THREADS: process.env.TF_NUM_INTRAOP_THREADS ?? null, TF_NUM_INTEROP_THREADS: process.env.TF_NUM_INTEROP_THREADS ?? null },
  wall_ms: +wall.toFixed(1), median_wall_ms: +[...walls].sort((a, b) => a - b)[Math.floor(ITERS / 2)]!.toFixed(1),
  kernel_ms: +kernelMs.toFixed(1), outside_kernels_share: +(1 - kernelMs / wall).toFixed(3), ops_per_sample: [...byKernel.values()].reduce((s, e) => s + e.n, 0) / ITERS,
  kernels,
}, null, 1));
