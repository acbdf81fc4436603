import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDataset, type DatasetConfig } from '../data/dataset.js';
import type { GeneratedModel } from '../train/generated-model.js';
import { loadCheckpointModel, loadGenerated } from '../train/load-generated.js';
import type { DataPlan } from '../train/plan.js';
import { AttncError } from '../util/errors.js';
import { shownPath } from '../util/shown-path.js';
import { inferenceModelFromGenerated } from './from-generated.js';
import type { InferenceModel } from './generate.js';

/** The `openDataset` config of one split of a training plan's data, for evaluation (no augmentation, one size). */
export function evalDatasetConfig(data: DataPlan, split: string, imageSize: number, baseDir = process.cwd()): DatasetConfig {
  const common = {
    split, capsPerImage: data.capsPerImage, wordsNum: data.wordsNum, longCaptions: data.longCaptions, imageSizes: [imageSize],
    augment: false as const, resizeRatio: data.augmentation.resizeRatio, onBadFile: 'error' as const, seed: 0,
  };
  const d = data.dataset;
  switch (d.kind) {
    case 'synthbirds':
      return { ...common, kind: 'synthbirds', synth: { images: d.images, seed: d.seed, testFraction: d.testFraction, heldoutFraction: d.heldoutFraction } };
    case 'cub':
      return { ...common, kind: 'cub', root: path.resolve(baseDir, d.root), bboxCrop: d.bboxCrop };
    case 'coco':
      return { ...common, kind: 'coco', root: path.resolve(baseDir, d.root) };
    case 'custom':
      return { ...common, kind: 'custom', root: path.resolve(baseDir, d.root), imagesDir: d.imagesDir, textDir: d.textDir, imageExt: d.imageExt, listClassIds: d.classIds };
  }
}

/** The generated folder of a shipped spec name (`generated/<name>/` of this checkout). */
export async function importGenerated(name: string): Promise<GeneratedModel> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new AttncError('ATTNC_USAGE_GENERATED', `spec name ${JSON.stringify(name)} is not a generated folder name`);
  return (await loadGenerated(fileURLToPath(new URL(`../../generated/${name}`, import.meta.url)))).gen;
}

/**
 * A generated model with initial weights and its dataset's vocabulary: the untrained baseline
 * (what benchmarks and tests sample from).
 */
export async function loadUntrained(gen: GeneratedModel, source: string, seed = 0): Promise<InferenceModel> {
  const data = gen.plan.data;
  const ds = await openDataset(evalDatasetConfig(data, 'train', data.imageSizes.at(-1)!));
  const vocab = ds.vocab;
  await ds.close();
  return inferenceModelFromGenerated(gen, vocab, { seed, source: `${source} (untrained: initial weights, seed ${seed})`, generatorWeights: 'init' });
}

/**
 * A run folder, its checkpoints/ or one checkpoint folder → the model with the checkpoint's
 * weights (netG.safetensors: the EMA generator when the manifest says so) and vocabulary, through
 * the training checkpoint loader. `generated` overrides the model folder the manifest names.
 */
export async function loadCheckpointForInference(target: string, generated?: string): Promise<InferenceModel> {
  const loaded = await loadCheckpointModel(target, generated === undefined ? {} : { generated });
  const label = shownPath(loaded.checkpoint);
  return inferenceModelFromGenerated(loaded.gen, loaded.vocab, {
    model: loaded.model,
    source: `${label} (${loaded.manifest.phase} step ${loaded.manifest.progress.step})`,
    generatorWeights: loaded.manifest.files['netG.safetensors'] ? (loaded.ema ? 'ema' : 'live') : 'init',
  });
}
