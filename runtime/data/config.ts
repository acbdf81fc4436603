import type { ImageLimits } from './image-header.js';
import type { ImageSource } from './image-job.js';
import type { Augment } from './images.js';

// The loader's configuration types, apart from the code that uses them, so that the dataset, its
// layouts (CUB, COCO, custom) and the synthbirds index import them without importing each other.

/**
 * AttnGAN's splits are 'train' and 'test'; any other folder / list name works too (e.g. synthbirds'
 * 'heldout'): its captions are read from text/ and encoded with the dataset's vocabulary.
 */
export type Split = 'train' | 'test' | (string & {});
export type FolderDatasetKind = 'cub' | 'coco' | 'custom';
export type DatasetKind = FolderDatasetKind | 'synthbirds';

/** Options every kind shares: what the batches look like. */
export interface CommonDatasetConfig {
  split: Split;
  /** Captions per image: CUB 10, COCO 5 (CAPTIONS_PER_IMAGE); synthbirds has 10 and uses the first `capsPerImage`. */
  capsPerImage: number;
  /** Longest caption fed to the text encoder; longer ones lose random words (WORDS_NUM, 18). */
  wordsNum: number;
  /** How a caption longer than `wordsNum` is shortened: random words dropped (default, the original) or cut at the end. */
  longCaptions?: 'random_drop' | 'truncate';
  /** Stage sizes, ascending, e.g. [64, 128, 256]; the last is the crop size. */
  imageSizes: number[];
  /** Random crop + horizontal flip (true), centre crop without flip (false), or each chosen separately. */
  augment: Augment;
  /** Shorter side → int(last size · ratio) before the crop (default 76/64, the original's); at least 1. */
  resizeRatio?: number;
  /** A missing/corrupt image or caption file stops loading ('error') or is counted and left out ('skip'). */
  onBadFile: 'error' | 'skip';
  /** Default seed for `batches()`. */
  seed: number;
}

/** A dataset folder on disk in one of the layouts of docs/datasets.md. */
export interface FolderDatasetConfig extends CommonDatasetConfig {
  kind: FolderDatasetKind;
  /** Dataset folder (AttnGAN's DATA_DIR). */
  root: string;
  /** Where the built vocabulary is read from / saved to when there is no captions.pickle (default `<root>/vocab.json`). */
  vocabFile?: string;
  /** CUB only: crop around the bounding box first (default true, as the original does for birds). */
  bboxCrop?: boolean;
  /** custom only: image and caption folders under `root` (default `images`, `text`). */
  imagesDir?: string;
  textDir?: string;
  /** custom only: image extension tried first (default `.jpg`; the others of CUSTOM_IMAGE_EXTENSIONS are still tried). */
  imageExt?: string;
  /**
   * custom only: class ids from the split lists (`<key> <id>`). true = required on every line,
   * false = ignored (image i has class i), unset = used when every line has one (the spec's
   * `class_ids` sets it).
   */
  listClassIds?: boolean;
  /**
   * Follow symbolic links that lead out of the dataset folder (default false: an image or caption
   * file whose real path lies outside `root` and outside its own folder is an error naming the list
   * entry). Set it when the images live elsewhere behind per-file links you trust.
   */
  followSymlinks?: boolean;
  /** Bounds checked before an image is decoded (defaults: DEFAULT_IMAGE_LIMITS, docs/datasets.md). */
  imageLimits?: Partial<ImageLimits>;
}

/** The built-in synthetic birds (docs/synthbirds.md), rendered in memory: nothing is read or written. */
export interface SynthBirdsDatasetConfig extends CommonDatasetConfig {
  kind: 'synthbirds';
  /**
   * The generator's options (spec `data.dataset`): the same values give the same images, captions
   * and splits as `attnc data synth --n images --seed seed ...`. Kept apart from `seed`, which
   * seeds the batch order and augmentation.
   */
  synth: {
    /** Images in all splits together. */
    images: number;
    /** Generator seed (default 0, like `attnc data synth`). */
    seed?: number;
    /** Default 0.1. */
    testFraction?: number;
    /** Default 0.1, at most 0.5. */
    heldoutFraction?: number;
  };
  /** Unused: there is no folder. Present only so code that logs `config.root` keeps working. */
  root?: undefined;
}

export type DatasetConfig = FolderDatasetConfig | SynthBirdsDatasetConfig;

export interface SkippedFile {
  path: string;
  reason: string;
  code: string;
}

/** One image of a split with its encoded captions, whatever the kind. */
export interface DatasetEntry {
  key: string;
  classId: number;
  /**
   * 1..`capsPerImage` captions as word ids (out-of-vocabulary words already dropped); a caption left
   * without any word is not kept (counted in `Dataset.emptyCaptions`).
   */
  captions: number[][];
  /** Position of each kept caption among the image's `capsPerImage` captions (reported as `Batch.captionIndex`). */
  captionSlots: number[];
  image: ImageSource;
}
