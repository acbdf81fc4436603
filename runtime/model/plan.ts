/**
 * The training plan: everything the spec decides about data, phases, cadence and evaluation, as
 * plain data. Lowering builds it into the model graph, the emitter writes it into the generated
 * folder (`plan.ts`), and the trainer (`runtime/train/trainer.ts`) executes any plan. These types
 * live in the runtime so that the runtime never imports the compiler.
 */

export type SynthBirdsDataPlan = { kind: 'synthbirds'; images: number; seed: number; testFraction: number; heldoutFraction: number };
export type CubDataPlan = { kind: 'cub'; root: string; bboxCrop: boolean };
export type CocoDataPlan = { kind: 'coco'; root: string };
export type CustomDataPlan = { kind: 'custom'; root: string; imagesDir: string; textDir: string; imageExt: string; classIds: boolean };

/** The spec's `data` section. Folder roots are as written in the spec (relative to the working directory). */
export interface DataPlan {
  dataset: SynthBirdsDataPlan | CubDataPlan | CocoDataPlan | CustomDataPlan;
  capsPerImage: number;
  wordsNum: number;
  longCaptions: 'random_drop' | 'truncate';
  /** One per discriminator, ascending. */
  imageSizes: number[];
  augmentation: { resizeRatio: number; randomCrop: boolean; horizontalFlip: boolean };
}

/** What the runner needs of one phase beyond the optimizers and steps the generated code holds. */
export interface PhasePlan {
  enabled: boolean;
  batchSize: number;
  epochs: number;
  /** Seed of the data order, augmentation, dropout and noise of this phase. */
  seed: number;
  /** Write a checkpoint every N epochs (and always at the end). */
  snapshotInterval: number;
  /** Read and log the losses every N steps. */
  logEvery: number;
  /** Write a sample grid every N steps (phases that draw samples). */
  sampleEvery?: number;
}

export interface DamsmPhasePlan extends PhasePlan {
  /** Re-create Adam (fresh moments) at the start of every epoch, as the original does. */
  resetOptimizerEachEpoch: boolean;
  /** With the image encoder's part loss: the region grid whose part masks each batch carries (`Batch.parts`). */
  partGrid?: number;
  /** Batches carry the part each word names (`Batch.wordParts`), for the part-word term (`part_words`). */
  wordParts?: boolean;
}

export interface GanPhasePlan extends PhasePlan {
  /** Write a sample grid (EMA weights, fixed captions and noise) every N steps. */
  sampleEvery: number;
  /** Batches carry the part each word names (`Batch.wordParts`), for G's part-word term (`part_words`). */
  wordParts?: boolean;
}

export type MetricPlan =
  | { type: 'r_precision'; candidates: number; folds: number; samples: number }
  | { type: 'fid'; extractor: 'inception_v3_pool3' | 'image_encoder'; weights: string | null; samples: number }
  | { type: 'inception_score'; extractor: 'inception_v3_imagenet' | 'inception_v3_cub'; weights: string | null; splits: number; samples: number };

export interface EvaluationPlan {
  batchSize: number;
  metrics: MetricPlan[];
  sampling: { repeats: number; captionsFile: string | null; attentionMaps: 'none' | 'all_words' | 'top_words' };
}

/** Weights files named by the spec (`weights:` keys), loaded instead of training or initialising. */
export interface WeightsPlan {
  textEncoder: string | null;
  imageEncoder: string | null;
  /** Inception-v3 ImageNet weights for the frozen trunk (Inception image encoders only). */
  imageEncoderTrunk: string | null;
  generator: string | null;
}

/** The generator's random inputs: z, and the conditioning-augmentation ε (0 when the model has none). */
export interface NoiseDims {
  z: number;
  condition: number;
  /** Sampling draws z from a standard normal truncated to ±this (DF-GAN's truncation trick); null = untruncated. Training noise never is. */
  truncation: number | null;
}

export interface TrainingPlan {
  name: string;
  specFile: string;
  specHash: string;
  /** Sizes of the noise every caller draws through runtime/model/noise.ts. */
  noise: NoiseDims;
  data: DataPlan;
  phases: { damsm: DamsmPhasePlan; gan: GanPhasePlan };
  weights: WeightsPlan;
  evaluation: EvaluationPlan;
}
