export { bce } from './bce.js';
export { klLoss, type KlOptions } from './kl.js';
export {
  discriminatorLoss,
  mismatchedPairs,
  generatorAdvLoss,
  type DiscriminatorOutputs,
  type DiscriminatorLoss,
  type GeneratorStageOutputs,
  type GeneratorAdvOptions,
  type AdversarialWeights,
} from './gan.js';
export {
  wordsLoss,
  sentLoss,
  type ClassIds,
  type WordsLoss,
  type WordsLossOptions,
  type SentLossOptions,
} from './damsm.js';
export { partLoss } from './parts.js';
export { CaptionQueue, type QueueState } from './caption-queue.js';
export { hinge, hingeDiscriminatorLoss, hingeGeneratorLoss, type HingeDLoss, type HingeOutputs } from './hinge.js';
export { matchingAwareGradientPenalty, realPairs, type MaGpOptions, type MaGpResult, type OneWayDiscriminator, type RealPairs } from './magp.js';
export { partWordsLoss } from './part-words.js';
