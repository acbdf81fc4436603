import type { Rule } from '../rule.js';
import { adversarialHeads } from './adversarial-heads.js';
import { attentionWordDim } from './attention-word-dim.js';
import { batchSizeContrastive } from './batch-size-contrastive.js';
import { bidirectionalHiddenEven } from './bidirectional-hidden-even.js';
import { cnnLocalSize } from './cnn-local-size.js';
import { damsmStageExists } from './damsm-stage-exists.js';
import { discriminatorsMatchHeads } from './discriminators-match-heads.js';
import { encodersAvailable } from './encoders-available.js';
import { familyParts } from './family-parts.js';
import { firstStageInit } from './first-stage-init.js';
import { imageEncoderEmbedding } from './image-encoder-embedding.js';
import { imageEncoderInput } from './image-encoder-input.js';
import { imageSizesMatch } from './image-sizes-match.js';
import { initSize } from './init-size.js';
import { lossRequirements } from './loss-requirements.js';
import { lrScheduleFloor } from './lr-schedule-floor.js';
import { negativeQueueTerm } from './negative-queue-term.js';
import { partLossData } from './part-loss-data.js';
import { partPoolingHead } from './part-pooling-head.js';
import { partWordsTerm } from './part-words-term.js';
import { snapshotInterval } from './snapshot-interval.js';
import { spectralNormSizes } from './spectral-norm-sizes.js';
import { stageSizesDouble } from './stage-sizes-double.js';
import { uniqueLossTerms } from './unique-loss-terms.js';
import { uniqueMetrics } from './unique-metrics.js';

/** Every semantic rule, in reporting order. One file per rule; each owns one diagnostic code. */
export const rules: readonly Rule[] = [
  firstStageInit,
  stageSizesDouble,
  initSize,
  attentionWordDim,
  imageEncoderEmbedding,
  discriminatorsMatchHeads,
  damsmStageExists,
  imageEncoderInput,
  batchSizeContrastive,
  lrScheduleFloor,
  bidirectionalHiddenEven,
  imageSizesMatch,
  adversarialHeads,
  uniqueLossTerms,
  lossRequirements,
  snapshotInterval,
  encodersAvailable,
  cnnLocalSize,
  uniqueMetrics,
  familyParts,
  partLossData,
  partPoolingHead,
  spectralNormSizes,
  negativeQueueTerm,
  partWordsTerm,
];
