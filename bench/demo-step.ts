/**
 * Where the demo's GAN step (spec/demo.yaml, batch 16, 32/64 px) spends its time: the whole
 * `ganStep`, its D steps and G step alone, and the pieces G's loss runs — each discriminator and the
 * frozen DAMSM image encoder, forward and backward into their input — on the native backend. Medians
 * of `--iters` after `--warmup`. Issue 22's 10-minute target needs cheaper steps, not fewer
 * (docs/tuning.md); this says which part to make cheaper.
 *
 *   npx tsx bench/demo-step.ts [--iters 10] [--warmup 3]
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { drawNoise } from '../runtime/model/noise.js';
import { readLosses } from '../runtime/optim/index.js';
import { createGanOptimizers, createGeneratorEma, createModel, discriminatorStep, encodeCaptions, ganStep, generatorStep, plan, type GanBatch } from '../generated/demo/index.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const ITERS = arg('iters', 10);
const WARMUP = arg('warmup', 3);
const B = plan.phases.gan.batchSize;
const T = 18;
await initBackend();

const model = createModel({ vocabSize: 61, seed: 1 });
const optimizers = createGanOptimizers();
const ema = createGeneratorEma(model);
const lengths = Array.from({ length: B }, (_, i) => 8 + (i % 10));
const tokens = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i % T < lengths[Math.floor(i / T)]! ? 1 + ((i * 7) % 60) : 0)), [B, T], 'int32');
const img64 = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
const img32 = tf.image.resizeBilinear(img64, [32, 32]) as tf.Tensor4D;
// A step past the DAMSM warm-up (the term costs the same at any weight).
const batch: GanBatch = { images: [img32, img64], tokens, lengths, classIds: Array.from({ length: B }, (_, i) => i), step: 1000 };
const noise = drawNoise({ purpose: 'train', seed: 1, step: 0, batchSize: B }, plan.noise);
const captions = encodeCaptions(model.textEncoder, tokens, lengths, false);

function time(label: string, f: () => void): { label: string; ms: number } {
  const ts: number[] = [];
  for (let i = 0; i < WARMUP + ITERS; i++) {
    const t0 = performance.now();
    f();
    if (i >= WARMUP) ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { label, ms: ts[Math.floor(ts.length / 2)]! };
}
const sync = (xs: tf.Tensor[]) => {
  for (const x of xs) x.dataSync();
  tf.dispose(xs);
};
/** Forward and backward into the input (what G's loss costs per network; weights not updated). */
const fwdBwd = (f: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D) => () => {
  const { value, grad } = tf.valueAndGrad((y: tf.Tensor) => tf.sum(f(y as tf.Tensor4D)) as tf.Scalar)(x);
  sync([value, grad]);
};

const load0 = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const rows = [
  time('ganStep (all Ds, G, EMA)', () => {
    const r = ganStep(model, optimizers, batch, noise, ema);
    readLosses(r.generator);
    r.discriminators.forEach(readLosses);
  }),
  time('discriminatorStep (both Ds, G forward outside the tape)', () => discriminatorStep(model, optimizers, batch, captions, noise).forEach(readLosses)),
  time('generatorStep (G forward, D32 + D64 + image encoder, backward)', () => readLosses(generatorStep(model, optimizers, batch, captions, noise))),
  time('image encoder on 64 px: forward + backward into the image', fwdBwd((x) => model.imageEncoder.apply(x, false).global, img64)),
  time('D64 code: forward + backward into the image', fwdBwd((x) => model.discriminators[1].code(x, true), img64)),
  time('D32 code: forward + backward into the image', fwdBwd((x) => model.discriminators[0].code(x, true), img32)),
];
const load1 = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
console.log(`demo GAN step parts, batch ${B}, ${tf.getBackend()}, ${os.cpus().length} CPUs; load ${load0} → ${load1}`);
console.log('| part | median ms |\n|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.ms.toFixed(0)} |`);
