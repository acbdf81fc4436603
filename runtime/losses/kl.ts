import * as tf from '@tensorflow/tfjs';

export interface KlOptions {
  /**
   * `'mean'` (default, the original code): −½·mean over batch and dims of (1 + logvar − mu² − e^logvar),
   * about 1/(B·dims) of the textbook KL. `'sum'`: summed over dims, averaged over the batch (the
   * per-sample KL divergence to N(0, I)).
   */
  reduction?: 'mean' | 'sum';
}

/** KL(N(mu, e^logvar) ‖ N(0, I)) of the conditioning-augmentation code; mu, logvar [B, D]. */
export function klLoss(mu: tf.Tensor, logvar: tf.Tensor, options: KlOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const terms = tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar));
    if ((options.reduction ?? 'mean') === 'mean') return tf.mul(-0.5, tf.mean(terms)) as tf.Scalar;
    const perSample = tf.sum(terms.reshape([terms.shape[0]!, -1]), 1);
    return tf.mul(-0.5, tf.mean(perSample)) as tf.Scalar;
  });
}
