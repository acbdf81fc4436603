/**
 * Padded token sequences: what the text encoder and the DAMSM losses both need to know about
 * caption lengths. Here, below both, so neither imports the other.
 */
import * as tf from '@tensorflow/tfjs';

/** True caption lengths: a plain array or an int tensor [B] (read back synchronously). */
export type Lengths = readonly number[] | Int32Array | tf.Tensor1D;

export function lengthsArray(lengths: Lengths): number[] {
  if (lengths instanceof tf.Tensor) return Array.from(lengths.dataSync());
  return Array.from(lengths);
}

/** [B, T] float mask, 1 at real tokens. */
export function wordMask(lengths: readonly number[], maxLen: number): tf.Tensor2D {
  const b = lengths.length;
  const m = new Float32Array(b * maxLen);
  lengths.forEach((n, i) => {
    if (!(n >= 1 && n <= maxLen && Number.isInteger(n))) {
      throw new Error(`caption ${i}: length ${n} outside 1..${maxLen}`);
    }
    m.fill(1, i * maxLen, i * maxLen + n);
  });
  return tf.tensor2d(m, [b, maxLen]);
}
