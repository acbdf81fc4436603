import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';

/**
 * Each caption with its words in a random order: the same words, bound to each other differently
 * ("red wings and a blue crown" → "blue wings a red and crown"). As negatives of G's DAMSM term they
 * can only be told from the true caption by which colour sits on which part, so they ask G for the
 * binding, not only for the colours (word-order negatives, as NegCLIP's for CLIP). Needs no parser:
 * it works on token ids of any dataset.
 *
 * tokens [B, T] (0 pads), lengths [B]; `seed` fixes the permutations (a GAN step's own, so runs
 * repeat). A permutation that leaves the ids unchanged (repeated words, a one-word caption) is
 * replaced by a rotation by one, which changes them whenever the caption has two different words.
 */
export function shuffledCaptions(tokens: tf.Tensor2D, lengths: readonly number[], seed: number): tf.Tensor2D {
  const [b, t] = tokens.shape;
  if (lengths.length !== b) throw new Error(`shuffledCaptions: ${lengths.length} lengths for ${b} captions`);
  const ids = tokens.dataSync();
  const out = new Int32Array(b * t);
  const rng = Rng.stream(seed);
  for (let i = 0; i < b; i++) {
    const n = lengths[i]!;
    const row = Array.from(ids.subarray(i * t, i * t + n));
    let perm = rng.shuffle([...row]);
    if (perm.every((x, k) => x === row[k])) perm = [...row.slice(1), ...row.slice(0, 1)];
    out.set(perm, i * t);
  }
  return tf.tensor2d(out, [b, t], 'int32');
}
