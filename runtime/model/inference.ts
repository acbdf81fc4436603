/**
 * An `InferenceModel` over a generated model's networks. Pure (no file access): a checkpoint
 * loader (runtime/model/load.ts) or a browser bundle fills the networks' weights first.
 */
import type { Vocabulary } from '../data/vocab.js';
import type { InferenceCode, InferenceModel, ModelNetworks } from './contract.js';

/** `model` when given (its weights already loaded), else one freshly built with initial weights from `seed`. */
export function inferenceModel<M extends ModelNetworks>(
  code: InferenceCode<M>,
  vocab: Vocabulary,
  opts: { seed?: number; source?: string; generatorWeights?: InferenceModel['generatorWeights']; model?: M } = {},
): InferenceModel & { networks: M } {
  const networks = opts.model ?? code.createModel({ vocabSize: vocab.size, seed: opts.seed ?? 0 });
  return {
    name: code.plan.name,
    source: opts.source ?? `${code.plan.specFile} (initial weights, seed ${opts.seed ?? 0})`,
    vocab,
    textEncoder: networks.textEncoder,
    imageEncoder: networks.imageEncoder,
    generator: networks.generator,
    networks,
    noise: code.plan.noise,
    sample: (tokens, lengths, noise) => code.sample(networks, tokens, lengths, noise),
    data: code.plan.data,
    evaluation: code.plan.evaluation,
    damsmBatchSize: code.plan.phases.damsm.batchSize,
    generatorWeights: opts.generatorWeights ?? 'init',
    dispose: () => code.disposeModel(networks),
  };
}
