import * as tf from '@tensorflow/tfjs';
import { detach } from '../nn/detach.js';
import { partMeans } from '../nn/part-means.js';
import { maskAndCrossEntropy, type ClassIds } from './damsm.js';

/**
 * The part-word term (`losses[damsm].part_words` in the spec): in G's loss, and with
 * `pretrain_weight` in the DAMSM phase, where both encoders train on it.
 *
 * DAMSM's word term lets each word pick the regions it matches: "red" in "red crown" is satisfied by
 * any red region, a red wing included, so G can meet it without drawing the crown at all. Here each
 * word the caption attaches to a part is compared with the image's feature *of that part* instead:
 * the encoder's region features averaged under its part head's softmax (the encoder's own reading of
 * where the crown is, detached: G cannot move the crown to where the colour already is, and in the
 * DAMSM phase the part head learns only from the part masks).
 * Which part a word names comes from the training data (the synthetic captions' grammar), as the part
 * masks do; the generator still sees the caption only through the text encoder.
 *
 * Score of image j and caption i: log Σ_t m_it · exp(γ2 · cos(f_j,part(i,t), e_it)) over the caption's
 * part words (the word term's aggregation, with fixed instead of learnt attention), and the word
 * term's cross-entropy over the batch both ways at scale γ3, same-class pairs masked. A caption that
 * names no part scores 0 against every image: a constant, no gradient.
 *
 * regions [B, h, w, D] and partLogits [B, h, w, K] of the images (generated, or real in the DAMSM
 * phase); words [C, T, D] (C ≥ B, caption i < B belongs to image i); wordParts [C·T]: the part
 * index (0 … K−1) each word names, −1 for none (padding included).
 */
export function partWordsLoss(
  regions: tf.Tensor4D,
  partLogits: tf.Tensor4D,
  words: tf.Tensor3D,
  wordParts: Int32Array,
  classIds: ClassIds,
  opts: { gamma2: number; gamma3: number },
): { loss0: tf.Scalar; loss1: tf.Scalar } {
  const [b, h, w, d] = regions.shape;
  const k = partLogits.shape[3];
  const [c, t, dw] = words.shape;
  if (c < b || dw !== d || partLogits.shape[0] !== b || partLogits.shape[1] !== h || partLogits.shape[2] !== w) {
    throw new Error(`partWordsLoss: regions ${regions.shape}, part logits ${partLogits.shape}, words ${words.shape}`);
  }
  if (!(wordParts instanceof Int32Array)) throw new Error('partWordsLoss: the batch carries no word parts (BatchOptions.wordParts)');
  if (wordParts.length !== c * t) throw new Error(`partWordsLoss: ${wordParts.length} word parts for ${c}×${t} words`);
  const oneHot = new Float32Array(c * t * k); // [C, T, K]
  const named = new Float32Array(c * t); // 1 where the word names a part
  const namesNone = new Float32Array(c); // 1 for a caption without any part word
  for (let i = 0; i < c; i++) {
    let any = false;
    for (let s = 0; s < t; s++) {
      const p = wordParts[i * t + s]!;
      if (p < 0) continue;
      if (p >= k) throw new RangeError(`partWordsLoss: word ${s} of caption ${i} names part ${p}; the encoder has ${k}`);
      oneHot[(i * t + s) * k + p] = 1;
      named[i * t + s] = 1;
      any = true;
    }
    if (!any) namesNone[i] = 1;
  }
  return tf.tidy(() => {
    const parts = partMeans(regions, detach(tf.softmax(partLogits))); // [B, K, D], each part's mean feature
    const unit = (x: tf.Tensor, extra: tf.Tensor | number) => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), extra)));
    const f = unit(parts, 1e-8); // [B, K, D]
    // +1 under the root for words that name no part (padding is 0): finite, and masked below.
    const e = unit(words, tf.reshape(tf.sub(1, tf.tensor1d(named)), [c, t, 1])); // [C, T, D]
    const all = tf.reshape(tf.matMul(tf.reshape(f, [b * k, d]), tf.reshape(e, [c * t, d]), false, true), [b, k, c, t]);
    const pick = tf.reshape(tf.transpose(tf.tensor3d(oneHot, [c, t, k]), [2, 0, 1]), [1, k, c, t]);
    const cos = tf.sum(tf.mul(all, pick), 1); // [B, C, T]: each word against its own part
    const summed = tf.sum(tf.mul(tf.exp(tf.mul(cos, opts.gamma2)), tf.reshape(tf.tensor1d(named), [1, c, t])), -1); // [B, C]
    const score = tf.log(tf.add(summed, tf.reshape(tf.tensor1d(namesNone), [1, c]))) as tf.Tensor2D;
    return maskAndCrossEntropy(tf.mul(score, opts.gamma3) as tf.Tensor2D, classIds);
  });
}
