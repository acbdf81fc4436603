// Native TensorFlow vs the fallback backends, measured in one run on the generated tiny model:
// a generator forward pass (inference) and one GAN training step (every D, then G).
//   npx tsx bench/backends.ts [--runs 3] [--batch 16] [--cpu-step]
// The pure-JS cpu backend needs ~2 minutes per GAN step, so its step is timed only with --cpu-step.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../runtime/backend/index.js';
import { drawNoise } from '../runtime/model/noise.js';
import {
  createGanOptimizers,
  createGeneratorEma,
  createModel,
  disposeModel,
  ganStep,
  plan,
  type GanBatch,
} from '../generated/tiny/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 3);
const B = arg('batch', 16);
const T = 10;
const VOCAB = 60;

tf.env().set('PROD', true); // no cpu-backend banner, no debug checks
await initBackend('tensorflow');
await import('@tensorflow/tfjs-backend-wasm');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => void): Promise<number[]> {
  fn(); // warm-up: kernel setup, optimizer slots
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function measure(backend: BackendName): Promise<{ forward?: number; step?: number; error?: string }> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = createModel({ vocabSize: VOCAB, seed: 1 });
  const ids = new Int32Array(B * T).map((_, i) => 1 + (i % (VOCAB - 1)));
  const tokens = tf.tensor2d(ids, [B, T], 'int32');
  const lengths = Array.from({ length: B }, () => T);
  const images64 = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const images32 = tf.image.resizeBilinear(images64, [32, 32]) as tf.Tensor4D;
  const classIds = Array.from({ length: B }, (_, i) => i);
  const result: { forward?: number; step?: number; error?: string } = {};
  try {
    const { words, sentence } = model.textEncoder.apply(tokens, lengths, false);
    const z = tf.randomNormal([B, 32], 0, 1, 'float32', 2) as tf.Tensor2D; // spec/tiny.yaml z_dim
    result.forward = median(
      await time(() => {
        const out = model.generator.apply({ z, sentence, words, mask: null, training: false });
        const last = out.images.at(-1)!;
        last.dataSync();
        tf.dispose([...out.images, ...out.attn, out.mu, out.logvar]);
      }),
    );
    tf.dispose([words, sentence, z]);
    if (backend === 'cpu' && !process.argv.includes('--cpu-step')) {
      result.error = 'not timed: pass --cpu-step';
      return result;
    }
    const optimizers = createGanOptimizers();
    const ema = createGeneratorEma(model);
    const batch: GanBatch = { images: [images32, images64], tokens, lengths, classIds };
    const noise = drawNoise({ purpose: 'train', seed: 0, step: 0, batchSize: lengths.length }, plan.noise);
    result.step = median(await time(() => void tf.dispose(Object.values(ganStep(model, optimizers, batch, noise, ema)).flat().flatMap((r) => Object.values(r)))));
    tf.dispose([noise.z, noise.eps]);
  } catch (e) {
    result.error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 90);
  } finally {
    disposeModel(model);
    tf.dispose([tokens, images64, images32]);
  }
  return result;
}

console.log(`generated tiny model, batch ${B}, T ${T}, median of ${RUNS} after one warm-up`);
const rows: Array<[BackendName, Awaited<ReturnType<typeof measure>>]> = [];
for (const b of ['tensorflow', 'wasm', 'cpu'] as BackendName[]) {
  rows.push([b, await measure(b)]);
  const r = rows.at(-1)![1];
  console.log(`  measured ${b}: forward ${r.forward?.toFixed(1) ?? '—'} ms, step ${r.step?.toFixed(1) ?? '—'} ms${r.error ? ` (${r.error})` : ''}`);
}
const base = rows[0]![1];
console.log('\n| backend | G forward (ms) | × native | GAN step (ms) | × native |');
console.log('|---|---|---|---|---|');
for (const [b, r] of rows) {
  const f = r.forward === undefined ? '—' : r.forward.toFixed(1);
  const fr = r.forward && base.forward ? (r.forward / base.forward).toFixed(1) : '—';
  const s = r.step === undefined ? `— (${r.error ?? 'n/a'})` : r.step.toFixed(1);
  const sr = r.step && base.step ? (r.step / base.step).toFixed(1) : '—';
  console.log(`| ${b} | ${f} | ${fr} | ${s} | ${sr} |`);
}
