export { glu } from './glu.js';
export { upsampleNearest2x, upsampleOptions } from './upsample.js';
export { UpBlock, type UpBlockOptions } from './up-block.js';
export { ResBlock, type ResBlockOptions } from './res-block.js';
export { CondAugment, caKLLoss, type CondAugmentOptions, type CondAugmentOutput } from './cond-augment.js';
export { InitStage, type InitStageOptions } from './init-stage.js';
export { WordAttention, type MaskMode, type WordAttentionOptions, type WordAttentionOutput } from './word-attention.js';
export { AttentionStage, type AttentionStageOptions } from './attention-stage.js';
export { ImageHead, type ImageHeadOptions } from './image-head.js';
