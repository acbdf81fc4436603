/**
 * TensorFlow ops that tfjs does not expose, called through tfjs-node's backend on the native
 * backend only; each function returns null elsewhere (and under `ATTNC_PORTABLE=1` or an untested
 * tfjs, see tfjs-internals.ts) and its caller keeps the portable path. Loading this module registers
 * them in native-registry.ts, through which the portable layers call them; only the Node-only
 * backend selection (backend/index.ts) loads it, so a browser bundle holds none of them.
 */
import * as tf from '@tensorflow/tfjs';
import { fastPathEnabled } from './fast-paths.js';
import { registerNativeOps, type BatchNormTrainResult, type RunningStats } from './native-registry.js';
import { makeInt64Scalar, nativeBackend, type NativeBackend, type OpAttr } from './tfjs-internals.js';

/**
 * Attributes of FusedBatchNormV3 (`avgFactor`: its exponential_avg_factor) and, with `avgFactor`
 * null, FusedBatchNormGradV3; NHWC float32.
 */
function batchNormAttrs(b: NativeBackend, eps: number, training: boolean, avgFactor: number | null): OpAttr[] {
  const { TF_ATTR_TYPE, TF_ATTR_FLOAT, TF_ATTR_STRING, TF_ATTR_BOOL, TF_FLOAT } = b.binding;
  return [
    { name: 'T', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'U', type: TF_ATTR_TYPE, value: TF_FLOAT },
    { name: 'epsilon', type: TF_ATTR_FLOAT, value: eps },
    ...(avgFactor !== null ? [{ name: 'exponential_avg_factor', type: TF_ATTR_FLOAT, value: avgFactor }] : []),
    { name: 'data_format', type: TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: TF_ATTR_BOOL, value: training },
  ];
}

export type { BatchNormTrainResult, RunningStats } from './native-registry.js';

/**
 * Training-mode batch normalisation of NHWC `x` over batch and space in one TensorFlow
 * `FusedBatchNormV3` (is_training): y = (x − mean)/√(var + ε)·γ + β with the biased batch
 * variance, as PyTorch's train-mode BatchNorm. With exponential_avg_factor = momentum the same op
 * returns the new running statistics, (1 − m)·running + m·batch with the **unbiased** batch
 * variance, as PyTorch updates them (six elementwise ops fewer per call). Forward only.
 */
export function nativeBatchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, running: RunningStats): BatchNormTrainResult | null {
  const b = nativeBackend();
  if (!b || x.dtype !== 'float32' || !fastPathEnabled('fused-batchnorm')) return null;
  const [y, runningMean, runningVar, ...reserve] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, true, running.momentum), [x, gamma, beta, running.mean, running.variance], 6);
  tf.dispose(reserve);
  return { y: y as tf.Tensor4D, runningMean: runningMean as tf.Tensor1D, runningVar: runningVar as tf.Tensor1D };
}

/**
 * `nativeBatchNormTrain` with a gradient: the backward pass is TensorFlow's `FusedBatchNormGradV3`
 * (dx, dγ, dβ in one op) from the forward's saved batch statistics, instead of tfjs's ~10
 * elementwise passes. Null off the native backend.
 */
export function nativeBatchNormTrainWithGrad(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, running: RunningStats): BatchNormTrainResult | null {
  const b = nativeBackend();
  if (!b || x.dtype !== 'float32' || !fastPathEnabled('fused-batchnorm')) return null;
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, bt, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, variance, r1, r2, r3] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, true, running.momentum), [xi, g, bt, running.mean, running.variance], 6);
    stats = [tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D)];
    save([xi, g, r1!, r2!, r3!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, gs, s1, s2, s3] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const [dx, dgamma, dbeta, ...rest] = b.executeMultipleOutputs('FusedBatchNormGradV3', batchNormAttrs(b, eps, true, null), [dy as tf.Tensor, xs, gs, s1, s2, s3], 5);
        tf.dispose(rest);
        return [dx!, dgamma!, dbeta!];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, runningMean: stats![0], runningVar: stats![1] };
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
  if (!b || x.dtype !== 'float32' || !fastPathEnabled('fused-batchnorm')) return null;
  const [y, ...rest] = b.executeMultipleOutputs('FusedBatchNormV3', batchNormAttrs(b, eps, false, 1), [x, gamma, beta, mean, variance], 6);
  tf.dispose(rest);
  return y as tf.Tensor4D;
}

/**
 * A whole LSTM sequence in one TensorFlow `BlockLSTMV2` from a zero state, forward only:
 * x [T, B, E], w [E + h, 4h] (the input and recurrent kernels stacked), b [4h] (both biases
 * summed), gates in PyTorch's order i, f, g, o (the op's "ifco" layout), no peepholes or clipping.
 * Returns every step's h [T, B, h]; null off the native backend.
 */
export function nativeLstmSequence(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D | null {
  const nb = nativeBackend();
  if (!nb || x.dtype !== 'float32' || !fastPathEnabled('block-lstm')) return null;
  const [t, batch] = x.shape;
  const h = w.shape[1] / 4;
  const { TF_ATTR_FLOAT, TF_ATTR_BOOL, TF_ATTR_TYPE, TF_FLOAT } = nb.binding;
  const zeros = [tf.zeros([batch, h]), tf.zeros([h])];
  try {
    const outs = nb.executeMultipleOutputs(
      'BlockLSTMV2',
      [
        { name: 'cell_clip', type: TF_ATTR_FLOAT, value: 0 },
        { name: 'use_peephole', type: TF_ATTR_BOOL, value: false },
        { name: 'T', type: TF_ATTR_TYPE, value: TF_FLOAT },
      ],
      [makeInt64Scalar(t), x, zeros[0]!, zeros[0]!, w, zeros[1]!, zeros[1]!, zeros[1]!, b],
      7,
    );
    tf.dispose(outs.slice(0, 6));
    return outs[6] as tf.Tensor3D;
  } finally {
    tf.dispose(zeros);
  }
}

/** TensorFlow's `ReverseSequence`: reverses the first lengths[i] entries along `seqAxis` of batch entry i. */
export function nativeReverseSequence<T extends tf.Tensor>(x: T, lengths: tf.Tensor1D, seqAxis: number, batchAxis: number): T | null {
  const nb = nativeBackend();
  if (!nb || !fastPathEnabled('reverse-sequence')) return null;
  const { TF_ATTR_INT, TF_ATTR_TYPE, TF_INT32 } = nb.binding;
  return nb.executeMultipleOutputs(
    'ReverseSequence',
    [
      { name: 'seq_dim', type: TF_ATTR_INT, value: seqAxis },
      { name: 'batch_dim', type: TF_ATTR_INT, value: batchAxis },
      { name: 'T', type: TF_ATTR_TYPE, value: x.dtype === 'int32' ? TF_INT32 : nb.binding.TF_FLOAT },
      { name: 'Tlen', type: TF_ATTR_TYPE, value: TF_INT32 },
    ],
    [x, lengths],
    1,
  )[0] as T;
}

registerNativeOps({
  batchNormTrain: nativeBatchNormTrain,
  batchNormTrainWithGrad: nativeBatchNormTrainWithGrad,
  batchNormInfer: nativeBatchNormInfer,
  lstmSequence: nativeLstmSequence,
  reverseSequence: nativeReverseSequence,
});
