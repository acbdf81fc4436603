export { Rng } from '../util/rng.js';
export { type Initializer, initialValues, initLikeAttnGAN, orthogonalMatrix, orthogonalTfLayout, shapeSize } from './init.js';
export { Module, Sequential, type InitRole, type InitOverride, type TorchLayout, type SlotInfo } from './module.js';
export { exportState, importState, toTorchLayout, fromTorchLayout, torchShape, type TorchState, type TorchTensor, type LoadReport } from './state.js';
export {
  Conv2d,
  Linear,
  BatchNorm,
  Embedding,
  nnOptions,
  type Conv2dOptions,
  type LinearOptions,
  type BatchNormOptions,
  type EmbeddingOptions,
} from './layers.js';
