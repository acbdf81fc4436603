/**
 * The model graph: lowering's output and the one input of every emitter, `--graph`, the manifest
 * and (later) `attnc diff`. A plain, JSON-serialisable value with stable ids and stable order, so two
 * graphs can be compared key by key.
 */

import type { TrainingPlan } from '../../runtime/model/plan.js';
import type { OriginRef } from '../resolve/origins.js';

/** A tensor dimension: a concrete size, or a symbol bound at run time (batch `B`, words `T`, vocabulary `V`). */
export type Dim = number | 'B' | 'T' | 'V';
export type Shape = readonly Dim[];

export type NetworkId = 'text_encoder' | 'image_encoder' | 'generator' | `discriminator_${number}`;
export type PhaseId = 'damsm' | 'gan';

/**
 * Where a graph element came from in the spec: the one origin type (resolve/origins.ts), detached
 * from the map: kind, display path (relative to the project root) or `<--set #N>`, 1-based line
 * (0 for defaults) and the JSON pointer into the resolved spec.
 */
export type Origin = OriginRef & { line: number; pointer: string };

export interface TensorNode {
  name: string;
  /** NHWC for images; `[B, T, D]` for word features. */
  shape: Shape;
  dtype: 'float32' | 'int32' | 'bool';
}

/**
 * The constants of each module kind, as the emitted code passes them to a runtime block or writes
 * them into a generated class. One entry per kind, so `ModuleNode` is a union on `kind` and an
 * emitter that switches on the kind reads a typed config.
 */
export interface ModuleConfigs {
  /** `RNN_ENCODER.encoder` (+ its dropout). */
  embedding: { vocabSize: Dim; embeddingDim: number; dropout: number };
  /** `RNN_ENCODER.rnn`: one bidirectional layer. */
  rnn: { rnn: 'lstm' | 'gru'; inputDim: number; hiddenPerDirection: number; /** The sentence feature: final states (the original) or the mean of the word features. */ sentence: 'last' | 'mean' };
  /** The Inception-v3 trunk of `CNN_ENCODER` (torchvision names at the state_dict root). */
  inception_v3: { inputSize: number; frozen: boolean; /** BN in DAMSM training: batch statistics (the original) or running. */ trunkBatchNorm: 'batch' | 'running' };
  /**
   * One conv + BN + LeakyReLU block of the small CNN image encoder: 4×4 stride 2 (`blocks.<i>`,
   * `global_block`) or 3×3 stride 1 (`stem`). `pooling` (global_block only) makes its map the global feature.
   */
  cnn_block: { inChannels: number; outChannels: number; stride: 1 | 2; pooling?: 'avg' | 'max' };
  /** 1×1 conv without bias (`emb_features`). */
  conv1x1: { inChannels: number; outChannels: number };
  /** `part_head`: 1×1 conv with bias from the region features to one logit per synthetic-bird part (`image_encoder.part_loss`). */
  part_head: { inChannels: number; parts: number };
  /** `Linear` (`emb_cnn_code`). */
  linear: { inFeatures: number; outFeatures: number; bias: boolean };
  cond_augment: { textDim: number; cDim: number };
  /** `cond_net`: the sentence code without conditioning augmentation (Linear + GLU, no noise, no KL). */
  sentence_code: { textDim: number; cDim: number };
  init_stage: { channels: number; zDim: number; cDim: number; upBlocks: number; size: number };
  attention_stage: { channels: number; wordDim: number; residualBlocks: number; maskMode: 'correct' | 'original_bug'; size: number };
  /** DM-GAN's `NEXT_STAGE_G`: dynamic memory (runtime/blocks/memory-stage.ts). */
  memory_stage: { channels: number; wordDim: number; residualBlocks: number; maskMode: 'correct' | 'original_bug'; size: number };
  image_head: { channels: number };
  /** DF-GAN's `G_Block`: nearest ×2, fusion blocks (affine of [z, sentence]) around two 3×3 convs (runtime/blocks/fusion.ts). */
  fusion_up_block: { inChannels: number; outChannels: number; condDim: number; size: number };
  /** DF-GAN's `to_rgb`: LeakyReLU(0.2), conv 3×3 with bias, tanh. */
  rgb_head: { channels: number };
  /** DF-GAN's `NetD`: `conv_img` and the residual `DBlocks` down to 4×4×8·ndf (runtime/discriminators/one-way.ts). */
  one_way_trunk: { ndf: number; size: number; blocks: number };
  /** DF-GAN's `NetC`: the sentence tiled over the 4×4 features, two convs, one logit. */
  joint_conditional: { ndf: number; condDim: number };
  /** `spectralNorm`: DM-GAN's blocks (SpectralNorm-wrapped biased convs, no BatchNorm). */
  encode_image_by_16: { ndf: number; spectralNorm: boolean };
  encode_image_by_8: { ndf: number; spectralNorm: boolean };
  encode_image_by_4: { ndf: number; spectralNorm: boolean };
  down_block: { inChannels: number; outChannels: number; spectralNorm: boolean };
  block3x3_leaky: { inChannels: number; outChannels: number; spectralNorm: boolean };
  uncond_logits: { ndf: number };
  cond_logits: { ndf: number; nef: number; spectralNorm: boolean };
}

/** A scalar module constant, as `attnc diff` compares them. */
export type ConfigValue = ModuleConfigs[ModuleKind][keyof ModuleConfigs[ModuleKind]] | number | string | boolean;

/** Module kinds the emitters know how to write; each maps to one runtime block or a generated class. */
export type ModuleKind = keyof ModuleConfigs;

interface ModuleBase {
  /** Stable dotted id, equal to the PyTorch state_dict prefix of the module (`h_net2`, `COND_DNET`). */
  id: string;
  inputs: TensorNode[];
  outputs: TensorNode[];
  paramCount: number;
  trainableCount: number;
  origin: Origin;
}

/** One module of a network: its kind and that kind's constants. */
export type ModuleNode = { [K in ModuleKind]: ModuleBase & { kind: K; config: ModuleConfigs[K] } }[ModuleKind];

export type ModuleOf<K extends ModuleKind> = Extract<ModuleNode, { kind: K }>;

export interface ParamNode {
  /** PyTorch state_dict key, e.g. `h_net2.residual.0.block.0.weight`. */
  name: string;
  /** TF layout (conv `[kh, kw, in, out]`, linear `[in, out]`). */
  shape: Shape;
  /** PyTorch layout (conv `[out, in, kh, kw]`, linear `[out, in]`). */
  torchShape: Shape;
  size: number | null;
  trainable: boolean;
  network: NetworkId;
  /** Id of the module that owns it. */
  module: string;
  /** Phase whose optimizer updates it; null when no phase trains it (a frozen trunk). */
  phase: PhaseId | null;
}

export interface Network {
  id: NetworkId;
  /** Class or factory name in the generated code. */
  className: string;
  /** Generated file that holds it (`generator.ts`). */
  file: string;
  modules: ModuleNode[];
  params: ParamNode[];
  /** Sum over params with a concrete size. */
  paramCount: number;
  trainableCount: number;
  /** Set when some parameter depends on a run-time symbol (the vocabulary size `V`). */
  symbolicParams?: string;
  inputs: TensorNode[];
  outputs: TensorNode[];
  origin: Origin;
}

export interface OptimizerNode {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export interface Phase {
  id: PhaseId;
  enabled: boolean;
  /** Networks whose trainable parameters this phase's optimizers update. */
  trains: NetworkId[];
  /** Networks used but not updated. */
  frozen: NetworkId[];
  /** One entry per optimizer: `generator`, `discriminator_64`, … or `encoders` for DAMSM. */
  optimizers: Array<{ id: string; networks: NetworkId[]; optimizer: OptimizerNode }>;
  batchSize: number;
  epochs: number;
  gradClip: { maxNorm: number; params: 'all' | 'text_encoder' } | null;
  /** Learning rate per epoch: constant, or ×factor each epoch down to a floor. */
  schedule: { type: 'constant' } | { type: 'exponential'; factor: number; floor: number };
  ema: { decay: number } | null;
  /** How G and the discriminators start (GAN phase only): AttnGAN's `weights_init`, or PyTorch's default layer init. */
  init?: 'orthogonal' | 'pytorch';
  /** DAMSM phase only: the image encoder's part loss (`image_encoder.part_loss`) and its region grid. */
  partLoss?: { weight: number; grid: number; origin: Origin };
  origin: Origin;
}

export type LossNode =
  | {
      type: 'adversarial';
      conditional: boolean;
      unconditional: boolean;
      mismatched: boolean;
      weights: { conditional: number; unconditional: number; mismatched: number };
      averaging: 'original' | 'paper';
      origin: Origin;
    }
  | {
      type: 'damsm';
      lambda: number;
      /** G steps over which λ ramps from 0; absent: constant λ (the original). */
      warmupSteps?: number;
      /** Earlier batches' captions kept as extra negatives of G's DAMSM term; absent: none (the original). */
      negativeQueue?: number;
      /** The part-word term's weights in G's loss and in the DAMSM phase (`part_words`); absent: none (the original). */
      partWords?: { weight: number; pretrainWeight: number };
      gamma1: number;
      gamma2: number;
      gamma3: number;
      /** Resolved stage index (`last` → the index of the last stage). */
      stage: number;
      aggregation: 'code' | 'paper';
      classMasking: boolean;
      origin: Origin;
    }
  | { type: 'kl'; weight: number; reduction: 'mean' | 'sum'; origin: Origin }
  | { type: 'hinge'; origin: Origin }
  | { type: 'ma_gp'; weight: number; power: number; origin: Origin };

export interface ModelGraph {
  /** Graph format version. */
  graph: 1;
  name: string;
  /** The spec's one-line `description` (empty when it has none). */
  description: string;
  /** Display path of the spec, relative to the cwd. */
  specFile: string;
  /** sha256 of the resolved spec (canonical JSON). */
  specHash: string;
  /** Vocabulary size when the dataset fixes it (CUB 5450, COCO 27297); else null (read from the data at run time). */
  vocabSize: number | null;
  /** Caption length cap (`T` ≤ this). */
  wordsNum: number;
  /** Image size each generator stage outputs, in order. */
  imageSizes: number[];
  networks: Network[];
  phases: Phase[];
  losses: LossNode[];
  /** Data, noise sizes, cadence, weights files and evaluation: what the trainer executes. */
  plan: TrainingPlan;
}

/** A module's constants as key/value pairs, in their fixed order. */
export function configEntries(m: ModuleNode): Array<[string, ConfigValue]> {
  return Object.entries(m.config);
}

export function isKind<K extends ModuleKind>(m: ModuleNode, kind: K): m is ModuleOf<K> {
  return m.kind === kind;
}

/** The modules of one kind, in network order. */
export function modulesOf<K extends ModuleKind>(net: Network, kind: K): Array<ModuleOf<K>> {
  return net.modules.filter((m): m is ModuleOf<K> => isKind(m, kind));
}

/** The module `id`, which must be of `kind` (a compiler bug otherwise). */
export function moduleOf<K extends ModuleKind>(net: Network, id: string, kind: K): ModuleOf<K> {
  const m = net.modules.find((x) => x.id === id);
  if (!m || !isKind(m, kind)) throw new Error(`compiler bug: no ${kind} module ${id} in ${net.id}`);
  return m;
}

export function shapeText(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
