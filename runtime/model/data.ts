import * as path from 'node:path';
import type { DataPlan } from './plan.js';
import type { CommonDatasetConfig, DatasetConfig, Split } from '../data/dataset.js';
import type { Augment } from '../data/images.js';

/** What the plan's data section does not say, or what a caller wants differently. */
export interface DatasetConfigOverrides {
  /** Folder that a relative dataset `root` is resolved against (default: left as is, i.e. the working directory). */
  baseDir?: string;
  /** Replaces the plan's dataset root (`attnc train --data <dir>`). */
  root?: string;
  /** Seed of the batch order, caption draws and augmentation (default 0; the training loop passes the phase's seed). */
  seed?: number;
  /** Default 'error'. */
  onBadFile?: 'error' | 'skip';
  /** Replaces the plan's random crop / flip (e.g. `false` for evaluation). */
  augment?: Augment;
  /** Folder kinds: where a vocabulary built from the captions is kept (default `<root>/vocab.json`). */
  vocabFile?: string;
  /** Replaces the plan's image sizes (evaluation reads one size). */
  imageSizes?: number[];
}

/** `{ randomCrop, flip }` folded to a boolean when both agree (the common case reads better in logs). */
function augmentOf(a: DataPlan['augmentation']): Augment {
  return a.randomCrop === a.horizontalFlip ? a.randomCrop : { randomCrop: a.randomCrop, flip: a.horizontalFlip };
}

/** The `openDataset` config for one split of a training plan's data section: every field carried over. */
export function datasetConfigFromPlan(data: DataPlan, split: Split, overrides: DatasetConfigOverrides = {}): DatasetConfig {
  const common: CommonDatasetConfig = {
    split,
    capsPerImage: data.capsPerImage,
    wordsNum: data.wordsNum,
    longCaptions: data.longCaptions,
    imageSizes: [...(overrides.imageSizes ?? data.imageSizes)],
    augment: overrides.augment ?? augmentOf(data.augmentation),
    resizeRatio: data.augmentation.resizeRatio,
    onBadFile: overrides.onBadFile ?? 'error',
    seed: overrides.seed ?? 0,
  };
  const ds = data.dataset;
  if (ds.kind === 'synthbirds') {
    return { ...common, kind: 'synthbirds', synth: { images: ds.images, seed: ds.seed, testFraction: ds.testFraction, heldoutFraction: ds.heldoutFraction } };
  }
  const given = overrides.root ?? ds.root;
  const root = overrides.baseDir === undefined ? given : path.resolve(overrides.baseDir, given);
  const folder = { ...common, root, ...(overrides.vocabFile === undefined ? {} : { vocabFile: overrides.vocabFile }) };
  switch (ds.kind) {
    case 'cub':
      return { ...folder, kind: 'cub', bboxCrop: ds.bboxCrop };
    case 'coco':
      return { ...folder, kind: 'coco' };
    case 'custom':
      return { ...folder, kind: 'custom', imagesDir: ds.imagesDir, textDir: ds.textDir, imageExt: ds.imageExt, listClassIds: ds.classIds };
  }
}

/** One split for evaluation: no augmentation, one image size, a relative root resolved against `baseDir`. */
export function evalDatasetConfig(data: DataPlan, split: Split, imageSize: number, baseDir = process.cwd()): DatasetConfig {
  return datasetConfigFromPlan(data, split, { augment: false, imageSizes: [imageSize], baseDir });
}
