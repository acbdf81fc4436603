import * as tf from '@tensorflow/tfjs';
import { LeanAdamOptimizer } from './adam.js';
import { leanBackprop } from './lean-backprop.js';

/** A loss function for one step: the scalar to minimise plus any named terms worth logging. */
export type StepLoss = { loss: tf.Scalar } & Record<string, tf.Scalar>;

/** What a step returns: `loss` and every named term, as scalars the caller owns and disposes. */
export type LossTensors = Record<string, tf.Scalar>;

export interface StepOptions {
  /**
   * Total-norm gradient clipping (PyTorch `clip_grad_norm_`): the gradients of `variables` (all
   * optimised ones when omitted) are scaled by maxNorm / (norm + 1e-6) when their norm exceeds it.
   */
  clip?: { maxNorm: number; variables?: readonly tf.Variable[] } | null;
}

/**
 * One optimisation step: forward + backward with `tf.variableGrads` over `variables` only,
 * optional clipping, `optimizer.applyGradients`. Returns the loss and every named term as scalars
 * the caller owns: nothing is read back from the backend here, so a training loop syncs only when
 * it logs (`readLosses`).
 */
export function optimizeStep(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  f: () => StepLoss,
  options: StepOptions = {},
): LossTensors {
  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(leanBackprop(() => {
    const out = f();
    for (const [k, v] of Object.entries(out)) if (k !== 'loss') kept[k] = tf.keep(v);
    return out.loss;
  }), [...variables]);
  try {
    if (options.clip) clipByGlobalNorm(grads, options.clip.variables ?? variables, options.clip.maxNorm);
    optimizer.applyGradients(grads);
    return { loss: value as tf.Scalar, ...kept };
  } catch (e) {
    value.dispose();
    tf.dispose(kept);
    throw e;
  } finally {
    tf.dispose(grads);
  }
}

/** Reads loss scalars into numbers and disposes them (one backend sync for all of them). */
export function readLosses(losses: LossTensors): Record<string, number> {
  const names = Object.keys(losses);
  try {
    if (names.length === 0) return {};
    const values = tf.tidy(() => tf.stack(names.map((n) => losses[n]!)).dataSync());
    return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
  } finally {
    tf.dispose(Object.values(losses));
  }
}

/**
 * Scales, in place, the gradients of `variables` so their joint L2 norm is at most `maxNorm`
 * (PyTorch `clip_grad_norm_`: × maxNorm / (norm + 1e-6) when that is below 1). Computed on the
 * backend without reading the norm back, so a step stays free of host syncs.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, variables: readonly tf.Variable[], maxNorm: number): void {
  const names = variables.map((v) => v.name).filter((n) => grads[n] !== undefined);
  if (names.length === 0) return;
  const coef = tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
    return tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  });
  for (const n of names) {
    const old = grads[n]!;
    grads[n] = tf.mul(old, coef);
    old.dispose();
  }
  coef.dispose();
}

/** The optimizer generated code creates (runtime/optim/adam.ts). */
export type Adam = LeanAdamOptimizer;

/** Adam with PyTorch's hyperparameter names (no weight decay: the shipped specs use none). */
export function adam(o: { lr: number; beta1: number; beta2: number; epsilon: number }): Adam {
  return new LeanAdamOptimizer(o.lr, o.beta1, o.beta2, o.epsilon);
}
