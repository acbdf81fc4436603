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
 *
 * What `d` may contain: convolutions, leaky ReLU, BatchNorm (its composite form under a nested
 * tape, runtime/nn/layers.ts) and elementwise arithmetic differentiate twice correctly. Kernels
 * whose tfjs gradient reads their saved *output* (tanh, sigmoid, exp, softmax) do not: tfjs 4.22
 * records the copy of a saved output on the tape before the kernel's own node, so the backward pass
 * reaches the kernel before the second-order gradient arrives through that copy and drops it
 * (checked against PyTorch: conv → tanh → conv gives a penalty gradient of the wrong sign). Both
 * discriminators penalised here stop at pre-sigmoid logits.
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
    return { logits: value as tf.Tensor1D, penalty: penaltyOf(grads, b, options) };
  });
}

/** k · mean_b ‖(g_image_b, g_sentence_b)‖^p of the input gradients, per sample flattened and concatenated. */
function penaltyOf(grads: tf.Tensor[], b: number, options: MaGpOptions): tf.Scalar {
  const g = tf.concat([tf.reshape(grads[0]!, [b, -1]), tf.reshape(grads[1]!, [b, -1])], 1);
  // ‖g‖^p = (‖g‖²)^(p/2): no square root, so no infinite slope at a zero gradient.
  return tf.mul(options.weight, tf.mean(tf.pow(tf.sum(tf.square(g), 1), options.power / 2))) as tf.Scalar;
}

/** The one-way discriminator as its losses call it: NetD's features, NetC's logits. */
export interface OneWayDiscriminator {
  features(image: tf.Tensor4D): tf.Tensor4D;
  logits(features: tf.Tensor4D, sentence: tf.Tensor2D): tf.Tensor1D;
}

export interface RealPairs {
  /** D(real image, its sentence) [B]. */
  real: tf.Tensor1D;
  /** D(real image k+1's features, sentence k) [B]: DF-GAN shifts the features by one in the batch. */
  mismatched: tf.Tensor1D;
  /** k · mean ‖(∂D/∂image, ∂D/∂sentence)‖^p at the real pairs; 0 when `penalty` is null. */
  penalty: tf.Scalar;
}

/**
 * The real images' part of DF-GAN's D step from one NetD forward, as the official `train` does:
 * the real logits, the mismatched logits (features rolled by one, `torch.cat((f[1:], f[0:1]))`),
 * and the matching-aware gradient penalty on the real logits. Both logit vectors come out of one
 * `valueAndGrads` call whose output gradient is 1 on the real half and 0 on the mismatched half, so
 * the penalty differentiates the real pairs only and the trunk runs once.
 */
export function realPairs(d: OneWayDiscriminator, image: tf.Tensor4D, sentence: tf.Tensor2D, penalty: MaGpOptions | null): RealPairs {
  return tf.tidy(() => {
    const b = image.shape[0];
    const both = (x: tf.Tensor4D, s: tf.Tensor2D): tf.Tensor1D => {
      const f = d.features(x);
      const rolled = tf.concat([tf.slice(f, [1, 0, 0, 0], [b - 1, -1, -1, -1]), tf.slice(f, [0, 0, 0, 0], [1, -1, -1, -1])]) as tf.Tensor4D;
      return tf.concat([d.logits(f, s), d.logits(rolled, s)]) as tf.Tensor1D;
    };
    const split = (v: tf.Tensor) => tf.split(v as tf.Tensor1D, 2) as [tf.Tensor1D, tf.Tensor1D];
    if (!penalty) {
      const [real, mismatched] = split(both(image, sentence));
      return { real, mismatched, penalty: tf.scalar(0) };
    }
    const dy = tf.concat([tf.ones([b]), tf.zeros([b])]);
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor, s: tf.Tensor): tf.Tensor => both(x as tf.Tensor4D, s as tf.Tensor2D))([image, sentence], dy);
    const [real, mismatched] = split(value);
    return { real, mismatched, penalty: penaltyOf(grads, b, penalty) };
  });
}
