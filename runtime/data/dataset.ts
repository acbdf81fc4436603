import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { AttncError, isAttncError } from '../util/errors.js';
import { cocoLayout } from './coco.js';
import { cubLayout } from './cub.js';
import { customLayout } from './custom.js';
import { bboxCrop, decodeImage, pyramid, toSignedUnit, transformImage } from './images.js';
import type { RgbImage, TransformInfo } from './images.js';
import { buildIndex } from './layout.js';
import type { IndexEntry, Layout } from './layout.js';
import { prefetch } from './prefetch.js';
import { mixSeed, mulberry32, randInt, shuffleInPlace } from './rng.js';
import type { Rng } from './rng.js';
import type { Vocabulary } from './vocab.js';

export type Split = 'train' | 'test';
export type DatasetKind = 'cub' | 'coco' | 'custom';

export interface DatasetConfig {
  kind: DatasetKind;
  /** Dataset folder (AttnGAN's DATA_DIR). */
  root: string;
  split: Split;
  /** Captions per image: CUB 10, COCO 5 (CAPTIONS_PER_IMAGE). */
  capsPerImage: number;
  /** Longest caption fed to the text encoder; longer ones lose random words (WORDS_NUM, 18). */
  wordsNum: number;
  /** Stage sizes, ascending, e.g. [64, 128, 256]; the last is the crop size. */
  imageSizes: number[];
  /** Random crop + horizontal flip (true), or centre crop without flip (false). */
  augment: boolean;
  /** A missing/corrupt image or caption file stops loading ('error') or is counted and left out ('skip'). */
  onBadFile: 'error' | 'skip';
  /** Default seed for `batches()`. */
  seed: number;
  /** Where the built vocabulary is read from / saved to when there is no captions.pickle (default `<root>/vocab.json`). */
  vocabFile?: string;
}

/** One image with all its captions. */
export interface Sample {
  /** Position in the split (0..size-1). */
  index: number;
  key: string;
  classId: number;
  /** RGB uint8 HWC after the bbox crop (CUB) and the transform: `imageSizes.at(-1)` square. */
  image: RgbImage;
  /** All `capsPerImage` captions as word ids, before word drop. */
  captions: number[][];
  transform: TransformInfo;
}

export interface Batch {
  /** One per stage size, NHWC float32 in [−1, 1], in `imageSizes` order. */
  images: tf.Tensor4D[];
  /** int32 [B, T], T = longest caption in the batch, 0-padded. */
  captions: tf.Tensor2D;
  lengths: number[];
  classIds: number[];
  keys: string[];
  /** Which of the image's captions was drawn. */
  captionIndex: number[];
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle the epoch order (default true). */
  shuffle?: boolean;
  /** Leave out the last, incomplete batch (default true, like the original's drop_last). */
  dropLast?: boolean;
  /** Seeds the order, caption choice, word drop, crops and flips (default `config.seed`). Use one per epoch. */
  seed?: number;
  /** Batches loaded ahead of the consumer (default 2; 0 = load on demand). */
  prefetch?: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
  code: string;
}

export interface Dataset {
  readonly config: Readonly<DatasetConfig>;
  readonly size: number;
  readonly vocab: Vocabulary;
  readonly vocabSource: 'captions.pickle' | 'vocab.json' | 'built';
  readonly keys: readonly string[];
  /** Files left out so far with `onBadFile: 'skip'` (at open and while loading images). */
  readonly skipped: number;
  readonly skippedFiles: readonly SkippedFile[];
  /** Non-fatal notes from opening (unknown words dropped, vocabulary not saved, ...). */
  readonly warnings: readonly string[];
  /** Load image i with the transform drawn from `rng` (crop, flip). */
  getSample(i: number, rng: Rng): Promise<Sample>;
  /**
   * One epoch of batches. Each batch's tensors belong to the consumer, which disposes them.
   * Batches are sorted by caption length, longest first, as the original's `prepare_data` does for
   * PyTorch's packed sequences; our text encoder masks padding and does not need it, but the order
   * is kept so that losses pairing images with captions match the reference batch for batch.
   */
  batches(opts: BatchOptions): AsyncIterable<Batch>;
}

export function layoutFor(cfg: DatasetConfig): Layout {
  switch (cfg.kind) {
    case 'cub':
      return cubLayout(cfg);
    case 'coco':
      return cocoLayout(cfg);
    case 'custom':
      return customLayout(cfg);
    default:
      throw new AttncError('ATTNC_DATA_CONFIG', `unknown dataset kind ${JSON.stringify((cfg as { kind: unknown }).kind)}`, {
        hint: 'use cub, coco or custom',
      });
  }
}

function checkConfig(cfg: DatasetConfig): void {
  const bad = (msg: string) => {
    throw new AttncError('ATTNC_DATA_CONFIG', `dataset config: ${msg}`);
  };
  if (!Number.isInteger(cfg.capsPerImage) || cfg.capsPerImage < 1) bad(`capsPerImage must be a positive integer, got ${cfg.capsPerImage}`);
  if (!Number.isInteger(cfg.wordsNum) || cfg.wordsNum < 1) bad(`wordsNum must be a positive integer, got ${cfg.wordsNum}`);
  if (cfg.imageSizes.length === 0 || cfg.imageSizes.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= cfg.imageSizes[i - 1]!))) {
    bad(`imageSizes must be ascending positive integers, got [${cfg.imageSizes.join(', ')}]`);
  }
  if (cfg.split !== 'train' && cfg.split !== 'test') bad(`split must be train or test, got ${String(cfg.split)}`);
  if (cfg.onBadFile !== 'error' && cfg.onBadFile !== 'skip') bad(`onBadFile must be error or skip, got ${String(cfg.onBadFile)}`);
}

/**
 * Random word drop (datasets.py:269-287): a caption longer than `wordsNum` keeps a random subset of
 * `wordsNum` positions in their original order.
 */
export function dropWords(ids: readonly number[], wordsNum: number, rng: Rng): number[] {
  if (ids.length <= wordsNum) return [...ids];
  const positions = shuffleInPlace(Array.from(ids, (_, i) => i), rng).slice(0, wordsNum).sort((a, b) => a - b);
  return positions.map((p) => ids[p]!);
}

const MAX_REPLACEMENTS = 16;

class FolderDataset implements Dataset {
  readonly keys: readonly string[];
  readonly skippedFiles: SkippedFile[];
  private readonly bad = new Set<number>();

  constructor(
    readonly config: Readonly<DatasetConfig>,
    private readonly entries: IndexEntry[],
    readonly vocab: Vocabulary,
    readonly vocabSource: Dataset['vocabSource'],
    skipped: SkippedFile[],
    readonly warnings: readonly string[],
  ) {
    this.keys = entries.map((e) => e.key);
    this.skippedFiles = skipped;
  }

  get size(): number {
    return this.entries.length;
  }

  get skipped(): number {
    return this.skippedFiles.length;
  }

  private async loadImage(entry: IndexEntry): Promise<RgbImage> {
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(entry.imagePath);
    } catch (e) {
      throw new AttncError('ATTNC_DATA_IMAGE', `${entry.imagePath}: cannot read image (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        path: entry.imagePath,
        cause: e,
      });
    }
    const img = decodeImage(bytes, entry.imagePath);
    return entry.bbox ? bboxCrop(img, entry.bbox, entry.imagePath) : img;
  }

  async getSample(i: number, rng: Rng): Promise<Sample> {
    const entry = this.entries[i];
    if (!entry) throw new AttncError('ATTNC_DATA_INDEX', `sample ${i} is outside 0..${this.entries.length - 1}`);
    const imsize = this.config.imageSizes[this.config.imageSizes.length - 1]!;
    const { image, info } = transformImage(await this.loadImage(entry), imsize, this.config.augment, rng);
    return { index: i, key: entry.key, classId: entry.classId, image, captions: entry.captions, transform: info };
  }

  /** Sample i, or with 'skip' a deterministic replacement when its image turns out to be corrupt. */
  private async sampleOrReplacement(i: number, rng: Rng): Promise<Sample> {
    let idx = i;
    for (let attempt = 0; ; attempt++) {
      if (!this.bad.has(idx)) {
        try {
          return await this.getSample(idx, rng);
        } catch (e) {
          if (this.config.onBadFile !== 'skip' || !isAttncError(e)) throw e;
          if (!this.bad.has(idx)) {
            this.bad.add(idx);
            this.skippedFiles.push({ path: e.path ?? this.entries[idx]!.imagePath, reason: e.message, code: e.code });
          }
        }
      }
      if (attempt >= MAX_REPLACEMENTS || this.bad.size >= this.entries.length) {
        throw new AttncError('ATTNC_DATA_EMPTY', `${this.config.root}: too many unreadable images (${this.bad.size} of ${this.entries.length})`, {
          path: this.config.root,
        });
      }
      idx = randInt(rng, this.entries.length);
    }
  }

  private async loadBatch(indices: readonly number[], seed: number, firstPosition: number): Promise<Batch> {
    const cfg = this.config;
    const samples = await Promise.all(
      indices.map((i, k) => {
        const rng = mulberry32(mixSeed(seed, firstPosition + k));
        return this.sampleOrReplacement(i, rng).then((s) => ({ s, rng }));
      }),
    );
    const rows = samples.map(({ s, rng }) => {
      const captionIndex = randInt(rng, s.captions.length);
      const ids = dropWords(s.captions[captionIndex]!, cfg.wordsNum, rng);
      return { s, captionIndex, ids };
    });
    // Stable sort: longest caption first, ties keep their order.
    const order = rows.map((_, k) => k).sort((a, b) => rows[b]!.ids.length - rows[a]!.ids.length || a - b);
    const B = rows.length;
    const T = Math.max(1, rows[order[0]!]!.ids.length);
    const caps = new Int32Array(B * T);
    const levels = cfg.imageSizes.map((size) => ({ size, data: new Float32Array(B * size * size * 3) }));
    order.forEach((k, b) => {
      const r = rows[k]!;
      caps.set(r.ids, b * T);
      pyramid(r.s.image, cfg.imageSizes).forEach((img, l) => toSignedUnit(img, levels[l]!.data, b * img.width * img.height * 3));
    });
    return {
      images: levels.map(({ size, data }) => tf.tensor4d(data, [B, size, size, 3], 'float32')),
      captions: tf.tensor2d(caps, [B, T], 'int32'),
      lengths: order.map((k) => rows[k]!.ids.length),
      classIds: order.map((k) => rows[k]!.s.classId),
      keys: order.map((k) => rows[k]!.s.key),
      captionIndex: order.map((k) => rows[k]!.captionIndex),
    };
  }

  batches(opts: BatchOptions): AsyncIterable<Batch> {
    const { batchSize } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new AttncError('ATTNC_DATA_CONFIG', `batchSize must be a positive integer, got ${batchSize}`);
    }
    const seed = opts.seed ?? this.config.seed;
    const depth = opts.prefetch ?? 2;
    const order = Array.from({ length: this.entries.length }, (_, i) => i);
    if (opts.shuffle ?? true) shuffleInPlace(order, mulberry32(seed));
    const dropLast = opts.dropLast ?? true;
    const self = this;
    function* jobs(): Generator<() => Promise<Batch>> {
      for (let start = 0; start < order.length; start += batchSize) {
        const indices = order.slice(start, start + batchSize);
        if (indices.length < batchSize && dropLast) return;
        yield () => self.loadBatch(indices, seed, start);
      }
    }
    return { [Symbol.asyncIterator]: () => prefetch(jobs(), depth, disposeBatch) };
  }
}

export function disposeBatch(b: Batch): void {
  tf.dispose([...b.images, b.captions]);
}

/** Open a dataset folder: reads the split list, captions and vocabulary now; images on demand. */
export async function openDataset(cfg: DatasetConfig): Promise<Dataset> {
  checkConfig(cfg);
  try {
    const st = await fs.stat(cfg.root);
    if (!st.isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new AttncError('ATTNC_DATA_MISSING', `${cfg.root}: dataset folder not found`, { path: cfg.root, cause: e });
  }
  const index = await buildIndex(cfg, layoutFor(cfg));
  return new FolderDataset({ ...cfg }, index.entries, index.vocab, index.vocabSource, index.skippedFiles, index.warnings);
}
