import * as tf from '@tensorflow/tfjs';

/**
 * Binary cross-entropy on probabilities (sigmoid outputs), mean over all elements, as PyTorch's
 * `nn.BCELoss`: each log term is clamped at −100 so a saturated 0 or 1 gives a finite loss, and the
 * gradient is PyTorch's `(p − t) / max(p(1 − p), 1e-12)`, finite at p ∈ {0, 1} (a plain
 * `max(log p, −100)` would give 0·∞ = NaN there).
 *
 * `target` is a constant label (0 or 1 for the whole batch) or a tensor of `probs`' shape; no
 * gradient flows into a tensor target.
 */
export function bce(probs: tf.Tensor, target: number | tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = typeof target === 'number' ? tf.fill(probs.shape, target) : target;
    return bceWithGrad(probs, t);
  });
}

const bceWithGrad = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [p, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const logP = tf.maximum(tf.log(p), -100);
  const log1mP = tf.maximum(tf.log(tf.sub(1, p)), -100);
  const value = tf.neg(tf.mean(tf.add(tf.mul(t, logP), tf.mul(tf.sub(1, t), log1mP)))) as tf.Scalar;
  save([p, t]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ps, ts] = saved as [tf.Tensor, tf.Tensor];
      const denom = tf.maximum(tf.mul(ps, tf.sub(1, ps)), 1e-12);
      const g = tf.mul(tf.div(tf.sub(ps, ts), denom), tf.div(dy, ps.size));
      return [g, tf.zerosLike(ts)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (p: tf.Tensor, t: tf.Tensor) => tf.Scalar;
