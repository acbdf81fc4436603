export { glu } from './glu.js';
export { upsampleNearest2x, upsampleOptions } from './upsample.js';
export { foldUpsampleKernel, upsampleConv3x3, upsampleConvOptions, upsampleConvPlan } from './upsample-conv.js';
export { UpBlock, type UpBlockOptions } from './up-block.js';
export { ResBlock, type ResBlockOptions } from './res-block.js';
export { CondAugment, caKLLoss, type CondAugmentOptions, type CondAugmentOutput } from './cond-augment.js';
export { WordAttention, type MaskMode, type WordAttentionOptions, type WordAttentionOutput } from './word-attention.js';
export { ImageHead, type ImageHeadOptions } from './image-head.js';
