import { openDataset } from '../../../runtime/data/dataset.js';
import type { Vocabulary } from '../../../runtime/data/vocab.js';
import { inferenceModelFromGenerated } from '../../../runtime/eval/from-generated.js';
import { evalDatasetConfig } from '../../../runtime/eval/load.js';
import * as tiny from '../../../generated/tiny/index.js';
import type { GeneratedModel } from '../../../runtime/model/contract.js';

let vocab: Vocabulary | undefined;

/** The tiny spec's model with seeded initial weights and the synthetic birds' vocabulary. */
export async function tinyModel(seed = 3) {
  if (!vocab) {
    const ds = await openDataset(evalDatasetConfig(tiny.plan.data, 'train', 64));
    vocab = ds.vocab;
    await ds.close();
  }
  return inferenceModelFromGenerated(tiny as unknown as GeneratedModel, vocab, { seed });
}
