/** Types of the resolved spec, derived from the schema (never written by hand). */
import type { Static } from '@sinclair/typebox';
import type * as S from './spec-schema.js';

export type ResolvedSpec = Static<typeof S.SpecSchema>;

export type DataSpec = Static<typeof S.Data>;
export type Dataset = Static<typeof S.Dataset>;
export type SynthBirdsDataset = Static<typeof S.SynthBirdsDataset>;
export type CubDataset = Static<typeof S.CubDataset>;
export type CocoDataset = Static<typeof S.CocoDataset>;
export type CustomDataset = Static<typeof S.CustomDataset>;
export type AugmentationSpec = Static<typeof S.Augmentation>;

export type TextEncoderSpec = Static<typeof S.TextEncoder>;
export type ImageEncoderSpec = Static<typeof S.ImageEncoder>;
export type InceptionImageEncoderSpec = Static<typeof S.InceptionImageEncoder>;
export type CnnImageEncoderSpec = Static<typeof S.CnnImageEncoder>;

export type GeneratorSpec = Static<typeof S.Generator>;
export type Stage = Static<typeof S.Stage>;
export type InitStage = Static<typeof S.InitStage>;
export type AttentionStage = Static<typeof S.AttentionStage>;
export type AttentionSpec = Static<typeof S.Attention>;

export type DiscriminatorSpec = Static<typeof S.Discriminators>;

export type LossTerm = Static<typeof S.LossTerm>;
export type AdversarialLoss = Static<typeof S.AdversarialLoss>;
export type DamsmLoss = Static<typeof S.DamsmLoss>;
export type KlLoss = Static<typeof S.KlLoss>;

export type TrainSpec = Static<typeof S.Train>;
export type DamsmPhase = Static<typeof S.DamsmPhase>;
export type GanPhase = Static<typeof S.GanPhase>;
export type OptimizerSpec = Static<typeof S.Optimizer>;
export type LrSchedule = Static<typeof S.LrSchedule>;
export type GradClipSpec = Static<typeof S.GradClip>;
export type EmaSpec = Static<typeof S.Ema>;

export type EvaluationSpec = Static<typeof S.Evaluation>;
export type Metric = Static<typeof S.Metric>;
export type SamplingSpec = Static<typeof S.Sampling>;
