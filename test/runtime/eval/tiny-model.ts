import { openDataset } from '../../../runtime/data/dataset.js';
import type { Vocabulary } from '../../../runtime/data/vocab.js';
import { evalDatasetConfig } from '../../../runtime/model/data.js';
import { inferenceModel } from '../../../runtime/model/inference.js';
import { model as tiny } from '../../../generated/tiny/index.js';

let vocab: Vocabulary | undefined;

/** The tiny spec's model with seeded initial weights and the synthetic birds' vocabulary. */
export async function tinyModel(seed = 3) {
  if (!vocab) {
    const ds = await openDataset(evalDatasetConfig(tiny.plan.data, 'train', 64));
    vocab = ds.vocab;
    await ds.close();
  }
  return inferenceModel(tiny, vocab, { seed });
}
