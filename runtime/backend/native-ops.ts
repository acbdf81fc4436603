/**
 * TensorFlow ops that tfjs does not expose, called through tfjs-node's backend on the native
 * backend only; each function returns null elsewhere and its caller keeps the portable path.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-node's NodeJSKernelBackend used here (tfjs-node 4.x). */
export type NativeBackend = {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_SHAPE: number; TF_FLOAT: number };
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
};

export function nativeBackend(): NativeBackend | null {
  return tf.getBackend() === 'tensorflow' ? (tf.backend() as unknown as NativeBackend) : null;
}

export type OpAttr = { name: string; type: number; value: unknown };

/** Attributes of FusedBatchNormV3 (`forward`: with exponential_avg_factor) and FusedBatchNormGradV3, NHWC float32. */
function batchNormAttrs(b: NativeBackend, eps: number, training: boolean, forward: boolean): OpAttr[] {
  const { TF_ATTR_TYPE, TF_ATTR_FLOAT, TF_ATTR_STRING, TF_ATTR_BOOL, TF_FLOAT } = b.binding;
  return [
    { name: 'T', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'U', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'epsilon', type: TF_ATTR_FLOAT, value: eps },
    ...(forward ? [{ name: 'exponential_avg_factor', type: TF_ATTR_FLOAT, value: 1 }] : []),
    { name: 'data_format', type: TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: TF_ATTR_BOOL, value: training },
  ];
}

/**
 * Training-mode batch normalisation of NHWC `x` over batch and space in one TensorFlow
 * `FusedBatchNormV3` (is_training): y = (x − mean)/√(var + ε)·γ + β with the biased batch
 * variance, as PyTorch's train-mode BatchNorm. Returns y, the batch mean and the **unbiased**
 * batch variance (what PyTorch's running-variance update uses). Forward only: no gradient.
 */
export function nativeBatchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; unbiasedVariance: tf.Tensor1D } | null {
  const b = nativeBackend();
  if (!b || x.dtype !== 'float32') return null;
  const empty = tf.tensor1d([], 'float32');
  try {
    const [y, mean, variance, ...reserve] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, true, true), [x, gamma, beta, empty, empty], 6);
    tf.dispose(reserve);
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, unbiasedVariance: variance as tf.Tensor1D };
  } finally {
    empty.dispose();
  }
}

/**
 * `nativeBatchNormTrain` with a gradient: the backward pass is TensorFlow's `FusedBatchNormGradV3`
 * (dx, dγ, dβ in one op) from the forward's saved batch statistics, instead of tfjs's ~10
 * elementwise passes. Null off the native backend.
 */
export function nativeBatchNormTrainWithGrad(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; unbiasedVariance: tf.Tensor1D } | null {
  const b = nativeBackend();
  if (!b || x.dtype !== 'float32') return null;
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, bt, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const empty = tf.tensor1d([], 'float32');
    const [y, mean, variance, r1, r2, r3] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, true, true), [xi, g, bt, empty, empty], 6);
    empty.dispose();
    stats = [tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D)];
    save([xi, g, r1!, r2!, r3!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, s1, s2, s3] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const [dx, dgamma, dbeta, ...rest] = b.executeMultipleOutputs('FusedBatchNormGradV3', batchNormAttrs(b, eps, true, false), [dy as tf.Tensor, xs, gs, s1, s2, s3], 5);
        tf.dispose(rest);
        return [dx!, dgamma!, dbeta!];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, mean: stats![0], unbiasedVariance: stats![1] };
}

/** Eval-mode batch normalisation with running statistics in one `FusedBatchNormV3` (forward only). */
export function nativeBatchNormInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  eps: number,
): tf.Tensor4D | null {
  const b = nativeBackend();
  if (!b || x.dtype !== 'float32') return null;
  const [y, ...rest] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, false, true), [x, gamma, beta, mean, variance], 6);
  tf.dispose(rest);
  return y as tf.Tensor4D;
}
