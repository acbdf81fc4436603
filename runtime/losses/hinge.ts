import * as tf from '@tensorflow/tfjs';

/** The one-way discriminator's logits on the three pairs of a step, each [B]. */
export interface HingeOutputs {
  /** (real image, its sentence) */
  real: tf.Tensor;
  /** (fake image, its sentence); the fake detached by the caller */
  fake: tf.Tensor;
  /** (real image, another image's sentence): DF-GAN shifts the features by one in the batch */
  mismatched: tf.Tensor;
}

export type HingeDLoss = { loss: tf.Scalar; real: tf.Scalar; fake: tf.Scalar; mismatched: tf.Scalar };

/** `hinge_loss` of DF-GAN: mean ReLU(1 − logit) for a positive pair, mean ReLU(1 + logit) for a negative one. */
export function hinge(logits: tf.Tensor, positive: boolean): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(positive ? tf.sub(1, logits) : tf.add(1, logits))) as tf.Scalar);
}

/** D's hinge loss as DF-GAN's `train` sums it: real + (fake + mismatched) / 2 (the penalty is added by the caller). */
export function hingeDiscriminatorLoss(d: HingeOutputs): HingeDLoss {
  return tf.tidy(() => {
    const real = hinge(d.real, true);
    const fake = hinge(d.fake, false);
    const mismatched = hinge(d.mismatched, false);
    const loss = tf.add(real, tf.div(tf.add(fake, mismatched), 2)) as tf.Scalar;
    return { loss, real, fake, mismatched };
  });
}

/** G's hinge loss: −mean logit of (fake, sentence). */
export function hingeGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fakeLogits)) as tf.Scalar);
}
