import * as tf from '@tensorflow/tfjs';

export interface MaGpOptions {
  /** k: the penalty's weight (2 in DF-GAN). */
  weight: number;
  /** p: the power of the gradient's norm (6 in DF-GAN). */
  power: number;
}

export interface MaGpResult {
  /** D's logits on the real pairs [B] (the same forward pass the penalty differentiates). */
  logits: tf.Tensor1D;
  /** k · mean_b ‖(∂D/∂image_b, ∂D/∂sentence_b)‖^p */
  penalty: tf.Scalar;
}

/**
 * DF-GAN's matching-aware gradient penalty (`MA_GP` in `code/lib/modules.py`): the gradient of D's
 * logits on (real image, its sentence) with respect to both inputs (summed over the batch: grad
 * outputs of ones), flattened per sample and concatenated, its L2 norm to the power p, averaged
 * and weighted by k. Called inside a gradient call (D's optimizer step), the inner gradient is
 * recorded on the same tape, so D's parameters get the penalty's second-order gradient.
 */
export function matchingAwareGradientPenalty(
  d: (image: tf.Tensor4D, sentence: tf.Tensor2D) => tf.Tensor1D,
  image: tf.Tensor4D,
  sentence: tf.Tensor2D,
  options: MaGpOptions = { weight: 2, power: 6 },
): MaGpResult {
  return tf.tidy(() => {
    const b = image.shape[0];
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor, s: tf.Tensor) => d(x as tf.Tensor4D, s as tf.Tensor2D))([image, sentence]);
    const g = tf.concat([tf.reshape(grads[0]!, [b, -1]), tf.reshape(grads[1]!, [b, -1])], 1);
    const sq = tf.sum(tf.square(g), 1);
    // ‖g‖^p = (‖g‖²)^(p/2): no square root, so no infinite slope at a zero gradient.
    const penalty = tf.mul(options.weight, tf.mean(tf.pow(sq, options.power / 2))) as tf.Scalar;
    return { logits: value as tf.Tensor1D, penalty };
  });
}
