import * as tf from '@tensorflow/tfjs';

/**
 * Gated linear unit on the channel axis (−1 in NHWC; dim 1 in the NCHW original): the first half
 * of the channels is the value, the second half the gate. Halves the channel count.
 */
export function glu<T extends tf.Tensor>(x: T): T {
  const c = x.shape[x.rank - 1]!;
  if (c % 2 !== 0) throw new Error(`GLU needs an even channel count, got ${c}`);
  return tf.tidy(() => {
    const [value, gate] = tf.split(x, 2, -1);
    return tf.mul(value!, tf.sigmoid(gate!)) as T;
  });
}
