import * as tf from '@tensorflow/tfjs';

/** A loss function for one step: the scalar to minimise plus any named terms worth logging. */
export type StepLoss = { loss: tf.Scalar } & Record<string, tf.Scalar>;

export interface StepOptions {
  /**
   * Total-norm gradient clipping (PyTorch `clip_grad_norm_`): the gradients of `variables` (all
   * optimised ones when omitted) are scaled by maxNorm / (norm + 1e-6) when their norm exceeds it.
   */
  clip?: { maxNorm: number; variables?: readonly tf.Variable[] } | null;
}

/**
 * One optimisation step: forward + backward with `tf.variableGrads` over `variables` only,
 * optional clipping, `optimizer.applyGradients`. Returns the loss and every named term as numbers;
 * no tensor outlives the call.
 */
export function optimizeStep(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  f: () => StepLoss,
  options: StepOptions = {},
): Record<string, number> {
  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = f();
    for (const [k, v] of Object.entries(out)) if (k !== 'loss') kept[k] = tf.keep(v);
    return out.loss;
  }, [...variables]);
  try {
    if (options.clip) clipByGlobalNorm(grads, options.clip.variables ?? variables, options.clip.maxNorm);
    optimizer.applyGradients(grads);
    const result: Record<string, number> = { loss: value.dataSync()[0]! };
    for (const [k, v] of Object.entries(kept)) result[k] = v.dataSync()[0]!;
    return result;
  } finally {
    value.dispose();
    tf.dispose(grads);
    tf.dispose(kept);
  }
}

/** Scales, in place, the gradients of `variables` so their joint L2 norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, variables: readonly tf.Variable[], maxNorm: number): number {
  const names = variables.map((v) => v.name).filter((n) => grads[n] !== undefined);
  if (names.length === 0) return 0;
  const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))).dataSync()[0]!);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const n of names) {
      const old = grads[n]!;
      grads[n] = tf.mul(old, coef);
      old.dispose();
    }
  }
  return norm;
}

/** Adam with PyTorch's hyperparameter names (no weight decay: the shipped specs use none). */
export function adam(o: { lr: number; beta1: number; beta2: number; epsilon: number }): tf.Optimizer {
  return tf.train.adam(o.lr, o.beta1, o.beta2, o.epsilon);
}
