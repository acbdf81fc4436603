/**
 * What the runtime needs of a generated model folder (`generated/<name>/index.ts`): the plan and
 * the spec-specific factories and step functions. Every generated folder satisfies this; the
 * runner, sampler and evaluator are written against it once.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ClassIds } from '../losses/index.js';
import type { Module } from '../nn/module.js';
import type { ParameterEma } from '../optim/ema.js';
import type { ModelNetworks } from './networks.js';
import type { TrainingPlan } from './plan.js';
import type { LossTensors } from '../optim/step.js';

export interface RuntimeModel extends ModelNetworks {
  textEncoder: Module & { apply(tokens: tf.Tensor2D, lengths: readonly number[], training?: boolean, seed?: number): { words: tf.Tensor3D; sentence: tf.Tensor2D } };
  imageEncoder: Module & { apply(images: tf.Tensor4D, training?: boolean, opts?: { inputGradient?: boolean }): { regions: tf.Tensor4D; global: tf.Tensor2D } };
}

export interface GanOptimizerSet {
  generator: tf.Optimizer;
  discriminators: tf.Optimizer[];
}

export interface GeneratedModel<M extends RuntimeModel = RuntimeModel> {
  SPEC: { readonly name: string; readonly file: string; readonly sha256: string };
  plan: TrainingPlan;
  createModel(options: { vocabSize: number; seed?: number }): M;
  disposeModel(model: M): void;
  damsmLearningRate(epoch: number): number;
  createDamsmOptimizer(epoch?: number): tf.Optimizer;
  damsmStep(model: M, optimizer: tf.Optimizer, batch: { images: tf.Tensor4D; tokens: tf.Tensor2D; lengths: readonly number[]; classIds: ClassIds }, seed?: number): LossTensors;
  createGanOptimizers(): GanOptimizerSet;
  createGeneratorEma(model: M): ParameterEma | null;
  ganStep(
    model: M,
    optimizers: GanOptimizerSet,
    batch: { images: tf.Tensor4D[]; tokens: tf.Tensor2D; lengths: readonly number[]; classIds: ClassIds },
    ema?: ParameterEma | null,
    seed?: number,
  ): { discriminators: LossTensors[]; generator: LossTensors };
  sample(model: M, tokens: tf.Tensor2D, lengths: readonly number[], options?: { z?: tf.Tensor2D; noise?: tf.Tensor2D }): { images: tf.Tensor4D[]; attn: tf.Tensor4D[] };
}
