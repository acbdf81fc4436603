import * as path from 'node:path';
import type { ResolvedSpec } from '../../compiler/spec.js';
import type { CommonDatasetConfig, DatasetConfig, Split } from './dataset.js';
import type { Augment } from './images.js';

/** What the spec's `data` section does not say, or what a caller wants differently. */
export interface DatasetConfigOverrides {
  /** Folder that a relative dataset `root` is resolved against (default: left as is, i.e. the working directory). */
  baseDir?: string;
  /** Seed of the batch order, caption draws and augmentation (default 0; the training loop passes `train.*.seed`). */
  seed?: number;
  /** Default 'error'. */
  onBadFile?: 'error' | 'skip';
  /** Replaces the spec's `augmentation.random_crop` / `horizontal_flip` (e.g. `false` for evaluation). */
  augment?: Augment;
  /** Folder kinds: where a vocabulary built from the captions is kept (default `<root>/vocab.json`). */
  vocabFile?: string;
}

/** `{ randomCrop, flip }` folded to a boolean when both agree (the common case reads better in logs). */
function augmentOf(a: ResolvedSpec['data']['augmentation']): Augment {
  return a.random_crop === a.horizontal_flip ? a.random_crop : { randomCrop: a.random_crop, flip: a.horizontal_flip };
}

/** The `openDataset` config for one split of a resolved spec's `data` section: every field carried over. */
export function datasetConfigFromSpec(data: ResolvedSpec['data'], split: Split, overrides: DatasetConfigOverrides = {}): DatasetConfig {
  const common: CommonDatasetConfig = {
    split,
    capsPerImage: data.captions_per_image,
    wordsNum: data.words_num,
    longCaptions: data.long_captions,
    imageSizes: [...data.image_sizes],
    augment: overrides.augment ?? augmentOf(data.augmentation),
    resizeRatio: data.augmentation.resize_ratio,
    onBadFile: overrides.onBadFile ?? 'error',
    seed: overrides.seed ?? 0,
  };
  const ds = data.dataset;
  if (ds.kind === 'synthbirds') {
    return {
      ...common,
      kind: 'synthbirds',
      synth: { images: ds.images, seed: ds.seed, testFraction: ds.test_fraction, heldoutFraction: ds.heldout_fraction },
    };
  }
  const root = overrides.baseDir === undefined ? ds.root : path.resolve(overrides.baseDir, ds.root);
  const folder = { ...common, root, ...(overrides.vocabFile === undefined ? {} : { vocabFile: overrides.vocabFile }) };
  switch (ds.kind) {
    case 'cub':
      return { ...folder, kind: 'cub', bboxCrop: ds.bbox_crop };
    case 'coco':
      return { ...folder, kind: 'coco' };
    case 'custom':
      return { ...folder, kind: 'custom', imagesDir: ds.images_dir, textDir: ds.text_dir, imageExt: ds.image_ext, listClassIds: ds.class_ids };
  }
}
