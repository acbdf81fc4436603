/**
 * Linear probes on a frozen DAMSM image encoder (default: the demo's `d16` encoder committed for the
 * learning test): how well its global feature, its region features and raw pixels tell wing, belly
 * and crown colour, trained on 2,000 fresh synthetic birds at 64 px and tested on 500 others. With a
 * run folder, the global-feature probe also reads 500 of that model's generated images, scored on
 * the parts their captions state (docs/tuning.md, "What the frozen DAMSM encoder can read").
 *
 *   [ENCODER=<…/image_encoder.safetensors>] [GENERATED=<generated folder>] npx tsx tools/encoder-probe.ts [runs/<run>]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { loadWeights } from '../runtime/nn/weights.js';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { COLOURS, sampleAttributes } from '../runtime/data/synthbirds/attributes.js';
import { renderBird } from '../runtime/data/synthbirds/render.js';
import { Rng } from '../runtime/util/rng.js';
import { loadCheckpointForInference } from '../runtime/model/load.js';
import { drawNoise } from '../runtime/model/noise.js';
import { tokenTensor, encodeCaption } from '../runtime/eval/generate.js';
import { makeCaptions, parseCaption } from '../runtime/data/synthbirds/captions.js';

await initBackend(undefined, { quiet: true });
// GENERATED=<folder> probes an encoder of another architecture (e.g. `pooling: parts`), compiled there.
const generated = process.env.GENERATED ? pathToFileURL(path.resolve(process.env.GENERATED, 'image-encoder.ts')).href : '../generated/demo/image-encoder.js';
const { createImageEncoder } = (await import(generated)) as typeof import('../generated/demo/image-encoder.js');
const enc = createImageEncoder();
// ENCODER=<image_encoder.safetensors> probes another encoder of the demo's shape (e.g. a longer DAMSM run's).
// An encoder trained with `image_encoder.part_loss` also holds its part head, which the probe does not use.
loadWeights(enc, process.env.ENCODER ?? 'test/fixtures/learning/encoders/image_encoder.safetensors', enc.part_head ? {} : { dropUnexpected: /^part_head\./ });
const rng = new Rng('probe');
function data(n: number, off: number) {
  const attrs = Array.from({ length: n }, () => sampleAttributes(rng));
  const px = new Float32Array(n * 64 * 64 * 3);
  attrs.forEach((a, i) => { const r = renderBird(a, 64, off + i); for (let k = 0; k < 64 * 64 * 3; k++) px[i * 12288 + k] = r.rgb[k]! / 127.5 - 1; });
  const g: tf.Tensor[] = []; const rg: tf.Tensor[] = [];
  for (let s = 0; s < n; s += 100) {
    const x = tf.tensor4d(px.subarray(s * 12288, (s + 100) * 12288), [100, 64, 64, 3]);
    const o = enc.apply(x, false);
    g.push(o.global); rg.push(tf.reshape(o.regions, [100, -1])); x.dispose();
  }
  return { attrs, global: tf.concat(g), regions: tf.concat(rg), pixels: tf.tensor2d(px, [n, 12288]) };
}
const tr = data(2000, 0);
const te = data(500, 100000);
function probe(xtr: tf.Tensor, xte: tf.Tensor, ytr: number[], yte: number[], extra?: { x: tf.Tensor; y: number[]; keep: boolean[] }): number {
  const mu = tf.mean(xtr, 0); const sd = tf.add(tf.sqrt(tf.moments(xtr, 0).variance), 1e-5);
  const a = tf.div(tf.sub(xtr, mu), sd); const b = tf.div(tf.sub(xte, mu), sd);
  const d = a.shape[1]!;
  const W = tf.variable(tf.zeros([d, 9])); const c = tf.variable(tf.zeros([9]));
  const opt = tf.train.adam(0.01);
  const y = tf.oneHot(tf.tensor1d(ytr, 'int32'), 9);
  for (let i = 0; i < 300; i++) opt.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(a, W), c)), tf.mul(1e-3, tf.sum(tf.square(W)))) as tf.Scalar);
  const pred = tf.argMax(tf.add(tf.matMul(b, W), c), 1).dataSync();
  let ok = 0; yte.forEach((t, i) => { if (pred[i] === t) ok++; });
  if (extra) {
    const pe = tf.argMax(tf.add(tf.matMul(tf.div(tf.sub(extra.x, mu), sd), W), c), 1).dataSync();
    let k = 0, n = 0; extra.y.forEach((t, i) => { if (!extra.keep[i]) return; n++; if (pe[i] === t) k++; });
    console.log(`    on generated images (caption states the part, n=${n}): ${(100 * k / n).toFixed(1)} %`);
  }
  return (100 * ok) / yte.length;
}
const run = process.argv[2];
let gen: { x: tf.Tensor; attrs: ReturnType<typeof sampleAttributes>[]; caps: string[] } | undefined;
if (run) {
  const m = await loadCheckpointForInference(run);
  const attrs = Array.from({ length: 500 }, () => sampleAttributes(rng));
  const caps = attrs.map((a, i) => makeCaptions(a, 7000 + i, 1)[0]!);
  const feats: tf.Tensor[] = [];
  for (let s = 0; s < 500; s += 50) {
    const { tokens, lengths } = tokenTensor(caps.slice(s, s + 50).map((c) => encodeCaption(c, m.vocab, 18).ids));
    const noise = drawNoise({ purpose: 'sample', seed: 0, indices: Array.from({ length: 50 }, (_, i) => s + i) }, m.noise);
    const out = m.sample(tokens, lengths, noise);
    feats.push(enc.apply(out.images[out.images.length - 1] as tf.Tensor4D, false).global);
  }
  gen = { x: tf.concat(feats), attrs, caps };
}
for (const part of ['wing', 'belly', 'crown'] as const) {
  const ytr = tr.attrs.map((a) => COLOURS.indexOf(a[part])); const yte = te.attrs.map((a) => COLOURS.indexOf(a[part]));
  const ex = gen && { x: gen.x, y: gen.attrs.map((a) => COLOURS.indexOf(a[part])), keep: gen.caps.map((c) => parseCaption(c).attributes[part] !== undefined) };
  console.log(`${part}: global ${probe(tr.global, te.global, ytr, yte, ex).toFixed(1)} %  regions ${probe(tr.regions, te.regions, ytr, yte).toFixed(1)} %  pixels ${probe(tr.pixels, te.pixels, ytr, yte).toFixed(1)} %`);
}
