import * as tf from '@tensorflow/tfjs';

/**
 * The image encoder's part loss (`image_encoder.part_loss`): the cross-entropy of per-region part
 * logits against the share of each part in the region (soft labels from the rendered masks),
 * −Σ_k q_k · log softmax(z)_k, averaged over the regions of the batch. A region split between two
 * parts asks for both in proportion, so small parts (a crown, a beak) that never fill a region still
 * teach the head where they are.
 *
 * logits, shares: [B, h, w, K]; shares sum to 1 over K.
 */
export function partLoss(logits: tf.Tensor4D, shares: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(shares, tf.logSoftmax(logits)), -1))) as tf.Scalar);
}
