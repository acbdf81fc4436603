/**
 * Encoders and losses: forward and forward+backward timings at AttnGAN sizes.
 *
 *   npx tsx bench/runtime-encoders.ts            # backend from ATTNC_BACKEND (default auto)
 *   REPS=10 npx tsx bench/runtime-encoders.ts
 *   ONLY=damsm npx tsx bench/runtime-encoders.ts  # one section: text | damsm | inception
 *
 * Prints a markdown table (median ms over REPS after one warm-up) for bench/README.md.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { RnnTextEncoder } from '../runtime/encoders/text.js';
import { InceptionImageEncoder } from '../runtime/encoders/image.js';
import { basicConvOptions } from '../runtime/encoders/inception.js';
import { sentLoss, wordsLoss } from '../runtime/losses/damsm.js';

const info = await initBackend();
const REPS = Number(process.env.REPS ?? 5);
const rows: string[] = [];

const ONLY = process.env.ONLY?.toLowerCase();
const want = (section: string) => !ONLY || ONLY === section;

function time(label: string, fn: () => tf.Tensor | tf.Tensor[], reps = REPS): void {
  const run = () => {
    const t0 = performance.now();
    const out = fn();
    const outs = Array.isArray(out) ? out : [out];
    for (const o of outs) o.dataSync();
    tf.dispose(outs);
    return performance.now() - t0;
  };
  const before = tf.memory().numTensors;
  run(); // warm-up (kernel selection, first allocation)
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) ts.push(run());
  ts.sort((a, b) => a - b);
  const leaked = tf.memory().numTensors - before;
  const med = ts[Math.floor(ts.length / 2)]!;
  rows.push(`| ${label} | ${med.toFixed(1)} | ${ts[0]!.toFixed(1)} | ${reps}${leaked ? ` (leaked ${leaked})` : ''} |`);
  console.log(rows[rows.length - 1]);
}

const B = 8;
const T = 18;
const lengths = Array.from({ length: B }, (_, i) => T - 2 * i); // 18, 16, …, 4
const tokens = tf.tidy(() => {
  const ids = tf.randomUniform([B, T], 1, 5450, 'int32', 1);
  return tf.mul(ids, tf.cast(tf.less(tf.range(0, T).reshape([1, T]), tf.tensor1d(lengths).reshape([B, 1])), 'int32'));
}) as tf.Tensor2D;

console.log(`backend ${info.name} (${info.libtensorflow ?? 'js'}), ${os.availableParallelism()} cores, ${os.cpus()[0]?.model}`);
console.log('| what | median ms | min ms | reps |\n|---|---|---|---|');

// Text encoder: birds vocab 5450, 300-d embeddings, BiLSTM 2×128.
if (want('text')) {
  const text = new RnnTextEncoder({ vocabSize: 5450 });
  time(`text encoder forward (B=${B}, T=${T})`, () => {
    const o = text.apply(tokens, lengths);
    return [o.words, o.sentence];
  });
  time(`text encoder forward+backward (training, all ${text.parameters().length} params)`, () => {
    const { value, grads } = tf.variableGrads(() => {
      const o = text.apply(tokens, lengths, true);
      return tf.add(tf.sum(o.words), tf.sum(o.sentence)) as tf.Scalar;
    }, text.trainableParameters());
    return [value, ...Object.values(grads)];
  });
  text.dispose();
}

// DAMSM losses on encoder-sized features.
for (const b of want('damsm') ? [B, 48] : []) {
  const lens = Array.from({ length: b }, (_, i) => Math.max(3, T - (i % 16)));
  const regions = tf.randomNormal([b, 17, 17, 256], 0, 1, 'float32', 2) as tf.Tensor4D;
  const words = tf.randomNormal([b, T, 256], 0, 1, 'float32', 3) as tf.Tensor3D;
  const glob = tf.randomNormal([b, 256], 0, 1, 'float32', 4) as tf.Tensor2D;
  const sent = tf.randomNormal([b, 256], 0, 1, 'float32', 5) as tf.Tensor2D;
  const cls = Array.from({ length: b }, (_, i) => i % 5);
  const opts = { gamma1: 4, gamma2: 5, gamma3: 10 };
  const loss = (r: tf.Tensor4D, w: tf.Tensor3D, g: tf.Tensor2D, s: tf.Tensor2D) => {
    const wl = wordsLoss(r, w, lens, cls, { ...opts, returnAttnMaps: false });
    const sl = sentLoss(g, s, cls, opts);
    return tf.addN([wl.loss0, wl.loss1, sl.loss0, sl.loss1]);
  };
  time(`DAMSM words+sentence losses forward (B=${b})`, () => tf.tidy(() => loss(regions, words, glob, sent)));
  time(`DAMSM losses forward+backward into all 4 inputs (B=${b})`, () =>
    tf.tidy(() => tf.grads((r: tf.Tensor, w: tf.Tensor, g: tf.Tensor, s: tf.Tensor) =>
      loss(r as tf.Tensor4D, w as tf.Tensor3D, g as tf.Tensor2D, s as tf.Tensor2D))([regions, words, glob, sent])),
  );
  tf.dispose([regions, words, glob, sent]);
}

// Inception image encoder: 256 px generator output → resize 299 → trunk → heads.
if (want('inception')) {
  const image = new InceptionImageEncoder();
  const imgs = tf.randomUniform([B, 256, 256, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
  const irep = Math.max(2, Math.ceil(REPS / 2));
  for (const fold of [false, true]) {
    basicConvOptions.foldBatchNorm = fold;
    const how = fold ? 'BN folded into fused conv' : 'conv → batchNorm → relu';
    time(`Inception image encoder forward (B=${B}, 256→299, ${how})`, () => {
      const o = image.apply(imgs);
      return [o.regions, o.global];
    }, irep);
  }
  time(`Inception image encoder forward+backward into the input (B=${B}, as G's DAMSM term)`, () =>
    tf.tidy(() => tf.grad((x: tf.Tensor) => {
      const o = image.apply(x as tf.Tensor4D);
      return tf.add(tf.mean(o.regions), tf.mean(o.global));
    })(imgs)), irep);
  time(`Inception image encoder forward+backward, heads' params (B=${B}, DAMSM pretraining)`, () => {
    const { value, grads } = tf.variableGrads(() => {
      const o = image.apply(imgs);
      return tf.add(tf.mean(o.regions), tf.mean(o.global)) as tf.Scalar;
    }, image.trainableParameters());
    return [value, ...Object.values(grads)];
  }, irep);

  imgs.dispose();
  image.dispose();
}

tokens.dispose();
console.log(`\n${rows.length} rows; tensors alive at exit: ${tf.memory().numTensors}`);
