/**
 * Where the portable code finds the native-only fast paths. `nn/layers.ts` and `encoders/text.ts`
 * call these delegates; they return null (the caller keeps its portable path) until
 * `native-ops.ts` registers its implementations, which it does when it is loaded — and only
 * `backend/index.ts`, the Node-only backend selection that loads tfjs-node, loads it. So a browser
 * bundle of a generated model (`attnc export --format web`) holds no native op at all, and on the
 * native backend each op is still chosen at run time (`nativeBackend()`, `fastPathEnabled`).
 * Pure: no tfjs internals, no Node module.
 */
import type * as tf from '@tensorflow/tfjs';

/** A BatchNorm's running statistics and PyTorch momentum, which the fused op updates as it normalises. */
export type RunningStats = { mean: tf.Tensor1D; variance: tf.Tensor1D; momentum: number };
/** What the train-mode ops return: y and the new running statistics (the caller assigns them). */
export type BatchNormTrainResult = { y: tf.Tensor4D; runningMean: tf.Tensor1D; runningVar: tf.Tensor1D };

/** The native fast paths the portable layers call (runtime/backend/native-ops.ts documents each). */
export interface NativeOps {
  batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, running: RunningStats): BatchNormTrainResult | null;
  batchNormTrainWithGrad(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, running: RunningStats): BatchNormTrainResult | null;
  batchNormInfer(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, mean: tf.Tensor1D, variance: tf.Tensor1D, eps: number): tf.Tensor4D | null;
  lstmSequence(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D | null;
  reverseSequence<T extends tf.Tensor>(x: T, lengths: tf.Tensor1D, seqAxis: number, batchAxis: number): T | null;
}

let registered: NativeOps | null = null;

/** Called once by native-ops.ts as it loads. */
export function registerNativeOps(ops: NativeOps | null): void {
  registered = ops;
}

/** The native ops loaded in this process (null in a browser bundle). */
export function registeredNativeOps(): NativeOps | null {
  return registered;
}

export const nativeBatchNormTrain: NativeOps['batchNormTrain'] = (...a) => registered?.batchNormTrain(...a) ?? null;
export const nativeBatchNormTrainWithGrad: NativeOps['batchNormTrainWithGrad'] = (...a) => registered?.batchNormTrainWithGrad(...a) ?? null;
export const nativeBatchNormInfer: NativeOps['batchNormInfer'] = (...a) => registered?.batchNormInfer(...a) ?? null;
export const nativeLstmSequence: NativeOps['lstmSequence'] = (...a) => registered?.lstmSequence(...a) ?? null;
export function nativeReverseSequence<T extends tf.Tensor>(x: T, lengths: tf.Tensor1D, seqAxis: number, batchAxis: number): T | null {
  return registered ? registered.reverseSequence(x, lengths, seqAxis, batchAxis) : null;
}
