import type * as tf from '@tensorflow/tfjs';
import type { Vocabulary } from '../data/vocab.js';
import type { ImageEncoder } from '../encoders/image.js';
import type { TextEncoder } from '../encoders/text.js';
import type { Module } from '../nn/module.js';
import type { TrainingPlan } from '../train/plan.js';
import type { InferenceModel, NoiseInputs, SampleOutputs } from './generate.js';

/** The networks inference uses (every generated `Model` has them). */
export interface InferenceNetworks {
  textEncoder: TextEncoder;
  imageEncoder: ImageEncoder;
  generator: Module;
}

/** What every `generated/<name>/index.ts` exports that inference needs. */
export interface GeneratedModelModule<M extends InferenceNetworks> {
  createModel(options: { vocabSize: number; seed?: number }): M;
  disposeModel(model: M): void;
  sample(model: Pick<M, 'textEncoder' | 'generator'>, tokens: tf.Tensor2D, lengths: readonly number[], options?: NoiseInputs): { images: readonly tf.Tensor4D[]; attn: readonly tf.Tensor4D[] };
  plan: TrainingPlan;
}

/**
 * An `InferenceModel` over a generated model's networks, freshly initialised (`seed`) unless the
 * caller loads weights into `model` afterwards (a checkpoint loader does).
 */
export function inferenceModelFromGenerated<M extends InferenceNetworks>(
  mod: GeneratedModelModule<M>,
  vocab: Vocabulary,
  opts: { seed?: number; source?: string; generatorWeights?: InferenceModel['generatorWeights']; model?: M } = {},
): InferenceModel & { networks: M } {
  const networks = opts.model ?? mod.createModel({ vocabSize: vocab.size, seed: opts.seed ?? 0 });
  return {
    name: mod.plan.name,
    source: opts.source ?? `${mod.plan.specFile} (initial weights, seed ${opts.seed ?? 0})`,
    vocab,
    textEncoder: networks.textEncoder,
    imageEncoder: networks.imageEncoder,
    generator: networks.generator,
    networks,
    sample(tokens, lengths, noise): SampleOutputs {
      const out = mod.sample(networks, tokens, lengths, noise);
      return { images: [...out.images], attn: [...out.attn] };
    },
    data: mod.plan.data,
    evaluation: mod.plan.evaluation,
    generatorWeights: opts.generatorWeights ?? 'init',
    dispose: () => mod.disposeModel(networks),
  };
}
