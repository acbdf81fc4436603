/**
 * The model graph: lowering's output and the one input of every emitter, `--graph`, the manifest
 * and (later) `attnc diff`. A plain, JSON-serialisable value with stable ids and stable order, so two
 * graphs can be compared key by key.
 */

import type { TrainingPlan } from '../../runtime/train/plan.js';

/** A tensor dimension: a concrete size, or a symbol bound at run time (batch `B`, words `T`, vocabulary `V`). */
export type Dim = number | 'B' | 'T' | 'V';
export type Shape = readonly Dim[];

export type NetworkId = 'text_encoder' | 'image_encoder' | 'generator' | `discriminator_${number}`;
export type PhaseId = 'damsm' | 'gan';

/** Where a graph element came from in the spec. */
export interface Origin {
  /** Display path of the file (relative to the cwd), `<--set #N>`, or `default`. */
  file: string;
  /** 1-based line; 0 for defaults. */
  line: number;
  /** JSON pointer into the resolved spec. */
  pointer: string;
}

export interface TensorNode {
  name: string;
  /** NHWC for images; `[B, T, D]` for word features. */
  shape: Shape;
  dtype: 'float32' | 'int32' | 'bool';
}

/** Module kinds the emitters know how to write; each maps to one runtime block or a generated class. */
export type ModuleKind =
  | 'text_encoder'
  | 'inception_v3'
  | 'cnn_image_encoder'
  | 'cond_augment'
  | 'sentence_projection'
  | 'init_stage'
  | 'attention_stage'
  | 'image_head'
  | 'encode_image_by_16'
  | 'encode_image_by_8'
  | 'down_block'
  | 'block3x3_leaky'
  | 'uncond_logits'
  | 'cond_logits';

export type ConfigValue = number | string | boolean;

export interface ModuleNode {
  /** Stable dotted id, equal to the PyTorch state_dict prefix of the module (`h_net2`, `COND_DNET`). */
  id: string;
  kind: ModuleKind;
  /** Concrete constants the emitted code passes to the runtime block, in a fixed key order. */
  config: Record<string, ConfigValue>;
  inputs: TensorNode[];
  outputs: TensorNode[];
  paramCount: number;
  trainableCount: number;
  origin: Origin;
}

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
      gamma1: number;
      gamma2: number;
      gamma3: number;
      /** Resolved stage index (`last` → the index of the last stage). */
      stage: number;
      aggregation: 'code' | 'paper';
      classMasking: boolean;
      origin: Origin;
    }
  | { type: 'kl'; weight: number; reduction: 'mean' | 'sum'; origin: Origin };

export interface ModelGraph {
  /** Graph format version. */
  graph: 1;
  name: string;
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
  /** Data, cadence, weights files and evaluation: what the generic training runner executes. */
  plan: TrainingPlan;
}

export function networkById(g: ModelGraph, id: NetworkId): Network | undefined {
  return g.networks.find((n) => n.id === id);
}

export function shapeText(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
