/**
 * What the part-word term (`losses[damsm].part_words`) can read: for each colour word a caption
 * attaches to wing, belly or crown, the caption is re-encoded with each of the 9 colours in that
 * word's place, and the colour whose word vector is nearest (cosine) to the image encoder's feature of
 * that part wins. Accuracy on 500 real synthetic birds (64 px) is the term's ceiling with these
 * encoders; on the run's generated images for the same captions, what G gives it. The same is shown
 * for DAMSM's own word term (the word's attention-weighted region context, γ1 from the run's spec)
 * for comparison.
 *
 *   npx tsx tools/part-word-probe.ts runs/<run>
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { COLOURS, sampleAttributes } from '../runtime/data/synthbirds/attributes.js';
import { makeCaptions, parseWords, tokenize } from '../runtime/data/synthbirds/captions.js';
import { renderBird } from '../runtime/data/synthbirds/render.js';
import { PARTS } from '../runtime/data/synthbirds/render.js';
import { tokenTensor } from '../runtime/eval/generate.js';
import { loadCheckpointForInference } from '../runtime/model/load.js';
import { drawNoise } from '../runtime/model/noise.js';
import type { CnnImageEncoder } from '../runtime/encoders/image.js';
import { Rng } from '../runtime/util/rng.js';
import { partMeans } from '../runtime/nn/part-means.js';

await initBackend(undefined, { quiet: true });
const run = process.argv[2];
if (!run) throw new Error('usage: npx tsx tools/part-word-probe.ts runs/<run>');
const m = await loadCheckpointForInference(run);
const enc = m.imageEncoder as CnnImageEncoder;
const GAMMA1 = Number(process.env.GAMMA1 ?? 4);
const N = 500;
const rng = new Rng('part-word-probe');
const attrs = Array.from({ length: N }, () => sampleAttributes(rng));
const caps = attrs.map((a, i) => makeCaptions(a, 9000 + i, 1)[0]!);

/** One probe item: a caption, the word's position, its part, and the 9 recoloured captions' ids. */
interface Item { image: number; part: 'wing' | 'belly' | 'crown'; index: number; truth: number; variants: number[][] }
const items: Item[] = [];
caps.forEach((c, i) => {
  const tok = tokenize(c);
  for (const mention of parseWords(tok).mentions) {
    if (mention.attribute !== 'wing' && mention.attribute !== 'belly' && mention.attribute !== 'crown') continue;
    const variants = COLOURS.map((col) => tok.map((w, k) => (k === mention.index ? col : w)).map((w) => m.vocab.wordToIx.get(w)!));
    items.push({ image: i, part: mention.attribute, index: mention.index, truth: COLOURS.indexOf(attrs[i]![mention.attribute]), variants });
  }
});

function realImages(): tf.Tensor4D {
  const px = new Float32Array(N * 64 * 64 * 3);
  attrs.forEach((a, i) => { const r = renderBird(a, 64, 50_000 + i); for (let k = 0; k < 12288; k++) px[i * 12288 + k] = r.rgb[k]! / 127.5 - 1; });
  return tf.tensor4d(px, [N, 64, 64, 3]);
}

function generatedImages(): tf.Tensor4D {
  const out: tf.Tensor4D[] = [];
  for (let s = 0; s < N; s += 50) {
    const ids = caps.slice(s, s + 50).map((c) => tokenize(c).map((w) => m.vocab.wordToIx.get(w)!));
    const { tokens, lengths } = tokenTensor(ids);
    const noise = drawNoise({ purpose: 'sample', seed: 0, indices: Array.from({ length: ids.length }, (_, i) => s + i) }, m.noise);
    const o = m.sample(tokens, lengths, noise);
    out.push(o.images.pop()!);
    tf.dispose([tokens, noise.z, noise.eps, ...o.images, ...o.attn]);
  }
  const x = tf.concat(out) as tf.Tensor4D;
  tf.dispose(out);
  return x;
}

function score(images: tf.Tensor4D): Record<string, { part: number; attention: number; n: number }> {
  const res: Record<string, { part: number; attention: number; n: number }> = { wing: { part: 0, attention: 0, n: 0 }, belly: { part: 0, attention: 0, n: 0 }, crown: { part: 0, attention: 0, n: 0 } };
  for (const it of items) {
    tf.tidy(() => {
      const img = tf.slice(images, [it.image, 0, 0, 0], [1, 64, 64, 3]) as tf.Tensor4D;
      const { regions } = enc.apply(img, false);
      const [, h, w, d] = regions.shape;
      const v = tf.reshape(regions, [h * w, d]);
      // The part's feature as the term computes it (runtime/losses/part-words.ts).
      const f = tf.slice(partMeans(regions, tf.softmax(enc.partLogits(regions))), [0, PARTS.indexOf(it.part), 0], [1, 1, d]); // [1, 1, D]
      const { tokens, lengths } = tokenTensor(it.variants);
      const e = tf.squeeze(tf.slice(m.textEncoder.apply(tokens, lengths, false).words, [0, it.index, 0], [9, 1, d]), [1]) as tf.Tensor2D; // [9, D]
      const cos = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.div(tf.sum(tf.mul(a, b), 1), tf.mul(tf.norm(a, 2, 1), tf.norm(b, 2, 1)));
      const byPart = cos(e, tf.tile(tf.reshape(f, [1, d]), [9, 1]) as tf.Tensor2D);
      // DAMSM's word term: the word's softmax attention over regions (γ1), then the cosine with that context.
      const attn = tf.softmax(tf.mul(tf.matMul(e, v, false, true), GAMMA1), 1); // [9, N]
      const byAttention = cos(e, tf.matMul(attn, v) as tf.Tensor2D);
      const r = res[it.part]!;
      r.n++;
      if (tf.argMax(byPart).dataSync()[0] === it.truth) r.part++;
      if (tf.argMax(byAttention).dataSync()[0] === it.truth) r.attention++;
      tokens.dispose();
    });
  }
  return res;
}

const show = (label: string, r: ReturnType<typeof score>) =>
  console.log(`${label}: ${(['wing', 'belly', 'crown'] as const).map((p) => `${p} ${(100 * r[p]!.part / r[p]!.n).toFixed(1)} / ${(100 * r[p]!.attention / r[p]!.n).toFixed(1)} (n ${r[p]!.n})`).join('   ')}   [part feature / word attention, % of words whose own colour is nearest]`);
const real = realImages();
show('real birds', score(real));
real.dispose();
const fake = generatedImages();
show(`generated (${run})`, score(fake));
fake.dispose();
