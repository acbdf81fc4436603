import type { Vocabulary } from '../data/vocab.js';
import type { GeneratedModel, RuntimeModel } from '../model/contract.js';
import type { InferenceModel } from './generate.js';

/**
 * An `InferenceModel` over a generated model's networks: `model` when given (a checkpoint loader
 * filled it), else freshly built with initial weights from `seed`.
 */
export function inferenceModelFromGenerated<M extends RuntimeModel>(
  gen: GeneratedModel<M>,
  vocab: Vocabulary,
  opts: { seed?: number; source?: string; generatorWeights?: InferenceModel['generatorWeights']; model?: M } = {},
): InferenceModel & { networks: M } {
  const networks = opts.model ?? gen.createModel({ vocabSize: vocab.size, seed: opts.seed ?? 0 });
  return {
    name: gen.plan.name,
    source: opts.source ?? `${gen.plan.specFile} (initial weights, seed ${opts.seed ?? 0})`,
    vocab,
    textEncoder: networks.textEncoder,
    imageEncoder: networks.imageEncoder,
    generator: networks.generator,
    networks,
    sample: (tokens, lengths, noise) => gen.sample(networks, tokens, lengths, noise),
    data: gen.plan.data,
    evaluation: gen.plan.evaluation,
    generatorWeights: opts.generatorWeights ?? 'init',
    dispose: () => gen.disposeModel(networks),
  };
}
