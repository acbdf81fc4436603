import * as tf from '@tensorflow/tfjs';

/**
 * regions [B, h, w, D], part shares [B, h, w, K] (a part head's softmax: each region's share of each
 * part) → [B, K, D]: for each part, the mean of the region features weighted by the part's share of
 * each region (ε keeps an absent part finite). The image encoder's part pooling and the part-word
 * term both read the parts this way.
 */
export function partMeans(regions: tf.Tensor4D, shares: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, h, w, D] = regions.shape;
    const K = shares.shape[3];
    const p = tf.reshape(shares, [B, h * w, K]);
    const sums = tf.matMul(p, tf.reshape(regions, [B, h * w, D]), true, false); // [B, K, D]
    const mass = tf.add(tf.sum(p, 1), 1e-6).reshape([B, K, 1]);
    return tf.div(sums, mass) as tf.Tensor3D;
  });
}
