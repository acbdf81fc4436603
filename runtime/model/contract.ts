/**
 * The contract between generated code and the runtime. Every generated folder's `index.ts` exports
 * `model = { … } satisfies GeneratedModel<Model, GanOptimizers>`, so the type check that ends every
 * `attnc compile` proves the generated code fits what the trainer, the sampler and the evaluator call;
 * those are written against these types once, with no casts and no probing of export names.
 *
 * The networks (`M`) and optimizers (`O`) are typed by what `createModel` and `createOptimizers`
 * return (`NoInfer` elsewhere), so a caller that holds one generated model is checked against its
 * own types.
 *
 * Split by what a caller needs: `InferenceCode` is all that sampling needs (what a browser bundle
 * imports: no training code, no Node built-in), `GeneratedModel` adds the per-network factories and
 * each training phase's code. A model family with other phases adds its phase code here beside
 * `damsm` and `gan`, and its runtime phase in runtime/train/phases/.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Vocabulary } from '../data/vocab.js';
import type { ImageEncoder } from '../encoders/image.js';
import type { TextEncoderOutput } from '../encoders/text.js';
import type { CaptionQueue, ClassIds } from '../losses/index.js';
import type { Module } from '../nn/module.js';
import type { Lengths } from '../nn/sequence.js';
import type { ParameterEma } from '../optim/ema.js';
import type { Adam, LossTensors } from '../optim/step.js';
import type { Noise, NoiseDims } from './noise.js';
import type { DataPlan, EvaluationPlan, TrainingPlan } from './plan.js';

/** Which spec a generated folder (and every checkpoint of it) belongs to. */
export interface SpecIdentity {
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
}

/** The text encoder as the runtime calls it (R@1, R-precision, caption encoding). */
export interface TextEncoder extends Module {
  apply(tokens: tf.Tensor2D, lengths: Lengths, training?: boolean, seed?: number): TextEncoderOutput;
}

/** The networks of a model: what checkpoints hold, one file each (runtime/model/networks.ts). */
export interface ModelNetworks {
  textEncoder: TextEncoder;
  imageEncoder: ImageEncoder;
  generator: Module;
  discriminators: readonly Module[];
}

/** What sampling returns: one image per stage, smallest first; one attention map [B, h, w, T] per attention stage. */
export type SampleOutputs = { images: tf.Tensor4D[]; attn: tf.Tensor4D[] };

/** What inference needs of generated code. */
export interface InferenceCode<M extends ModelNetworks = ModelNetworks> {
  readonly SPEC: SpecIdentity;
  readonly plan: TrainingPlan;
  /** Every network, initial weights from `seed` (the same on every backend). */
  createModel(options: { vocabSize: number; seed?: number }): M;
  disposeModel(model: NoInfer<M>): void;
  /** Captions → images and attention maps, every network in eval mode; `noise` from runtime/model/noise.ts. */
  sample(model: NoInfer<M>, tokens: tf.Tensor2D, lengths: readonly number[], noise: Noise): SampleOutputs;
}

/** One network at a time, without initialising its weights (importers load them right after). */
export interface NetworkFactories {
  textEncoder(vocabSize: number): Module;
  imageEncoder(): Module;
  generator(): Module;
  discriminators(): readonly Module[];
}

export interface DamsmBatch {
  /** Real images [B, H, W, 3] in [−1, 1] at the image encoder's size. */
  images: tf.Tensor4D;
  tokens: tf.Tensor2D;
  lengths: readonly number[];
  classIds: ClassIds;
  /** [B, g, g, K] part shares per region when the image encoder has a part loss (`DamsmPhasePlan.partGrid`). */
  parts?: tf.Tensor4D;
  /** [B·T] the part each word names, −1 for none (`DamsmPhasePlan.wordParts`). */
  wordParts?: Int32Array;
}

/** The DAMSM pretraining phase's generated code. */
export interface DamsmCode<M extends ModelNetworks = ModelNetworks> {
  learningRate(epoch: number): number;
  /** The phase's optimizer at the learning rate of `epoch`. */
  createOptimizer(epoch: number): Adam;
  /** One step; `seed` fixes the dropout masks. Returns the loss terms (the caller disposes them). */
  step(model: NoInfer<M>, optimizer: Adam, batch: DamsmBatch, seed: number): LossTensors;
}

export interface GanBatch {
  /** Real images, one per discriminator, smallest first. */
  images: readonly tf.Tensor4D[];
  tokens: tf.Tensor2D;
  lengths: readonly number[];
  classIds: ClassIds;
  /** The GAN phase's step, 0-based (read by a DAMSM term with `warmup_steps`). */
  step?: number;
  /** [B·T] the part each word names, −1 for none (`Batch.wordParts`; read by a DAMSM term with `part_words`). */
  wordParts?: Int32Array;
}

export interface GanOptimizers {
  generator: Adam;
  discriminators: readonly Adam[];
}

export type GanStepLosses = { generator: LossTensors; discriminators: LossTensors[] };

/** The GAN phase's generated code. */
export interface GanCode<M extends ModelNetworks = ModelNetworks, O extends GanOptimizers = GanOptimizers> {
  createOptimizers(): O;
  /** The moving average of G the checkpoints and sample grids use, or null when the spec has none. */
  createEma(model: NoInfer<M>): ParameterEma | null;
  /** The earlier captions G's DAMSM term takes as extra negatives, when the spec keeps some (`negative_queue`). */
  createNegativeQueue?(): CaptionQueue;
  /** One GAN iteration; `noise` from runtime/model/noise.ts; `negatives` when the spec keeps a queue. Returns every network's loss terms. */
  step(model: NoInfer<M>, optimizers: NoInfer<O>, batch: GanBatch, noise: Noise, ema: ParameterEma | null, negatives?: CaptionQueue): GanStepLosses;
}

/** Everything a generated folder provides: inference, network factories, and each phase's code. */
export interface GeneratedModel<M extends ModelNetworks = ModelNetworks, O extends GanOptimizers = GanOptimizers> extends InferenceCode<M> {
  readonly networks: NetworkFactories;
  readonly damsm: DamsmCode<M>;
  readonly gan: GanCode<M, O>;
}

/**
 * A model ready for inference: what `attnc sample` and `attnc eval` run, whatever loaded it (a
 * checkpoint, a spec's untrained model, a test).
 */
export interface InferenceModel {
  /** Spec name, e.g. 'tiny'. */
  name: string;
  /** Where it came from (shown in reports). */
  source: string;
  vocab: Vocabulary;
  textEncoder: TextEncoder;
  generator: Module;
  /** The DAMSM image encoder trained with this model (R-precision, unless `--eval-encoders` gives others). */
  imageEncoder: ImageEncoder;
  /** Sizes of the noise `sample` takes. */
  noise: NoiseDims;
  /** The generated `sample` bound to this model: images and the generator's attention maps. */
  sample(tokens: tf.Tensor2D, lengths: readonly number[], noise: Noise): SampleOutputs;
  data: DataPlan;
  evaluation: EvaluationPlan;
  /** The DAMSM phase's batch size: `attnc eval`'s DAMSM R@1 ranks captions within batches this large, as training does. */
  damsmBatchSize: number;
  /** 'ema' when the generator weights are the EMA average, 'live' otherwise, 'init' for untrained. */
  generatorWeights: 'ema' | 'live' | 'init';
  dispose(): void;
}
