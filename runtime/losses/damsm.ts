import * as tf from '@tensorflow/tfjs';
import { lengthsArray, wordMask, type Lengths } from '../nn/sequence.js';

/**
 * DAMSM losses (AttnGAN §3.5; original `miscc/losses.py` `words_loss` / `sent_loss`).
 *
 * Layout: regions [B, h, w, D] (NHWC image features), words [B, T, D] (per-token text features,
 * zero or anything at padding), global [B, D], sentence [B, D]. The similarity matrix is indexed
 * S[j, i] = score(image j, caption i); labels are the diagonal. `loss0` = CE over each image's row
 * (image → caption), `loss1` = CE over each caption's column (caption → image).
 *
 * Captions may outnumber images (C ≥ B): caption i < B belongs to image i, the ones after are extra
 * negatives with no image of their own (earlier batches' captions, `negative_queue` in the spec). They
 * widen each image's row in `loss0`; `loss1` stays over the B captions that have an image. With C = B
 * this is the original's loss.
 */

/** Class id per sample (CUB); `null` disables same-class masking (COCO, where every image is its own class). */
export type ClassIds = readonly number[] | Int32Array | null;

/** Stands in for −∞ in masked logits: exp underflows to exactly 0, and 0·NEG stays finite (−∞ would give NaN). */
const NEG = -1e30;

export interface WordsLossOptions {
  /** Sharpness of the word-to-region attention (softmax over regions); 4 in the shipped configs. */
  gamma1: number;
  /** Log-sum-exp sharpness over words; 5. */
  gamma2: number;
  /** Scale of the caption-image scores before the softmax; 10. */
  gamma3: number;
  /** Divide the log-sum-exp by γ2 as the paper's Eq. 10 does (the code does not). Default false. */
  paperNormalisation?: boolean;
  /** Also return the attention maps (default true). */
  returnAttnMaps?: boolean;
}

export type WordsLoss = {
  loss0: tf.Scalar;
  loss1: tf.Scalar;
  /** Per caption i, the word→region attention of its own image i: [n_i, h, w]. Empty when not asked. */
  attnMaps: tf.Tensor3D[];
};

/** Boolean [B, C]: true where i ≠ j and class i == class j (these pairs are excluded as negatives). */
function sameClassMask(classIds: ClassIds, b: number, c: number): tf.Tensor2D | null {
  if (classIds === null) return null;
  if (classIds.length !== c) throw new Error(`classIds has ${classIds.length} entries for ${c} captions`);
  const m = new Uint8Array(b * c);
  for (let j = 0; j < b; j++) for (let i = 0; i < c; i++) m[j * c + i] = i !== j && classIds[i] === classIds[j] ? 1 : 0;
  return tf.tensor2d(m, [b, c], 'bool');
}

/** Mean over rows r of −log softmax(S[r, :])[r]; S is [R, C] with C ≥ R. */
function diagonalCrossEntropy(s: tf.Tensor2D): tf.Scalar {
  const [r, c] = s.shape;
  const ls = tf.logSoftmax(s, 1);
  return tf.neg(tf.div(tf.sum(tf.mul(ls, tf.eye(r, c))), r)) as tf.Scalar;
}

/** Same-class pairs masked, then the cross-entropy of each image's row (loss0) and of each own caption's column (loss1); scores [B, C]. */
export function maskAndCrossEntropy(scores: tf.Tensor2D, classIds: ClassIds): { loss0: tf.Scalar; loss1: tf.Scalar } {
  const [b, c] = scores.shape;
  const mask = sameClassMask(classIds, b, c);
  const s = mask ? (tf.where(mask, tf.fill([b, c], NEG), scores) as tf.Tensor2D) : scores;
  const own = c === b ? s : (tf.slice(s, [0, 0], [b, b]) as tf.Tensor2D); // captions that have an image
  return { loss0: diagonalCrossEntropy(s), loss1: diagonalCrossEntropy(tf.transpose(own)) };
}

/**
 * DAMSM word-level loss, vectorised over all (caption, image) pairs: one matMul gives every
 * region·word score, padding words are masked out of the softmax over words and out of the
 * log-sum-exp, which is the same as the original's slicing of each caption to its true length.
 */
export function wordsLoss(
  regions: tf.Tensor4D,
  words: tf.Tensor3D,
  lengths: Lengths,
  classIds: ClassIds,
  opts: WordsLossOptions,
): WordsLoss {
  const lens = lengthsArray(lengths);
  const [b, h, w, d] = regions.shape;
  const [c, t, dw] = words.shape;
  if (c < b || dw !== d) throw new Error(`wordsLoss: regions ${regions.shape} vs words ${words.shape}`);
  if (lens.length !== c) throw new Error(`wordsLoss: ${lens.length} lengths for ${c} captions`);
  const n = h * w;
  const returnMaps = opts.returnAttnMaps ?? true;

  const out = tf.tidy(() => {
    const mask = wordMask(lens, t); // [Ci, T]
    const v = tf.reshape(regions, [b, n, d]); // images j
    // scores[j, r, i, k] = v_j[r] · e_i[k], one matMul for every (image, region, caption, word)
    const raw = tf.matMul(tf.reshape(v, [b * n, d]), tf.reshape(words, [c * t, d]), false, true);
    // Padding words get NEG added: exp(NEG − max) is exactly 0, as if the caption were sliced.
    const padBias = tf.reshape(tf.mul(tf.sub(1, mask), NEG), [1, 1, c, t]);
    const attnWords = tf.softmax(tf.add(tf.reshape(raw, [b, n, c, t]), padBias)); // over words, per region (Eq. 8)
    const attn = tf.softmax(tf.mul(tf.transpose(attnWords, [0, 2, 3, 1]), opts.gamma1)); // [Bj, Ci, T, N] over regions (Eq. 9)
    const ctx = tf.reshape(tf.matMul(tf.reshape(attn, [b, c * t, n]), v), [b, c, t, d]); // region context per word

    const e = tf.reshape(words, [1, c, t, d]);
    const dot = tf.sum(tf.mul(ctx, e), -1); // [Bj, Ci, T]
    const ctxNorm = tf.sqrt(tf.sum(tf.square(ctx), -1));
    // +1 under the root at padding keeps the norm's gradient finite where the word vector is 0; masked anyway.
    const eNorm = tf.sqrt(tf.add(tf.sum(tf.square(words), -1), tf.sub(1, mask))).reshape([1, c, t]);
    const cos = tf.div(dot, tf.maximum(tf.mul(ctxNorm, eNorm), 1e-8));
    let score = tf.log(tf.sum(tf.mul(tf.exp(tf.mul(cos, opts.gamma2)), tf.reshape(mask, [1, c, t])), -1)); // [Bj, Ci]
    if (opts.paperNormalisation) score = tf.div(score, opts.gamma2);
    const { loss0, loss1 } = maskAndCrossEntropy(tf.mul(score, opts.gamma3) as tf.Tensor2D, classIds);

    const attnMaps: tf.Tensor3D[] = returnMaps
      ? lens.slice(0, b).map((len, i) =>
          tf.reshape(tf.slice(attn, [i, i, 0, 0], [1, 1, len, n]), [len, h, w]) as tf.Tensor3D,
        )
      : [];
    return { loss0, loss1, attnMaps };
  });
  return out;
}

export interface SentLossOptions {
  gamma3: number;
}

/** DAMSM sentence-level loss: S[j, i] = γ3·cos(global_j, sentence_i), same-class masking, CE both ways (C ≥ B sentences as in `wordsLoss`). */
export function sentLoss(
  global: tf.Tensor2D,
  sentence: tf.Tensor2D,
  classIds: ClassIds,
  opts: SentLossOptions,
): { loss0: tf.Scalar; loss1: tf.Scalar } {
  if (global.shape[0] > sentence.shape[0] || global.shape[1] !== sentence.shape[1]) {
    throw new Error(`sentLoss: global ${global.shape} vs sentence ${sentence.shape}`);
  }
  return tf.tidy(() => {
    const dots = tf.matMul(global, sentence, false, true); // [Bj, Ci]
    const gn = tf.norm(global, 2, 1, true); // [Bj, 1]
    const sn = tf.norm(sentence, 2, 1, true); // [Ci, 1]
    const norms = tf.maximum(tf.matMul(gn, sn, false, true), 1e-8);
    return maskAndCrossEntropy(tf.mul(tf.div(dots, norms), opts.gamma3) as tf.Tensor2D, classIds);
  });
}
