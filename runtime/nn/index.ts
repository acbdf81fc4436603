export { Rng } from '../util/rng.js';
export { type Initializer, initialTensor, initialValues, shapeSize } from './init.js';
export { initLikeAttnGAN } from './init-attngan.js';
export { choosePlan, conv2dPatches, convPlanOptions, type ConvPlan } from '../backend/conv-plan.js';
export { orthogonalMatrix, orthogonalTensor, orthogonalTfLayout } from './orthogonal.js';
export { Module, Sequential, type InitRole, type InitOverride, type TorchLayout, type SlotInfo } from './module.js';
export { lengthsArray, wordMask, type Lengths } from './sequence.js';
export { exportState, importState, toTorchLayout, fromTorchLayout, torchShape, type TorchState, type TorchTensor, type LoadReport } from './state.js';
export {
  Conv2d,
  Conv1d,
  Linear,
  BatchNorm,
  Embedding,
  nnOptions,
  withBatchGroups,
  batchGroupCount,
  convolve,
  type ConvGeometry,
  type Conv2dOptions,
  type Conv1dOptions,
  type LinearOptions,
  type BatchNormOptions,
  type EmbeddingOptions,
} from './layers.js';
export { SpectralNorm, SpectralConv2d, type SpectralConv2dOptions } from './spectral-norm.js';
export { detach } from './detach.js';
export { partMeans } from './part-means.js';
