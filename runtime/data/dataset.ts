import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { AttncError, isAttncError } from '../util/errors.js';
import type { DatasetConfig, DatasetEntry, SkippedFile } from './config.js';
import { DecodePool } from './decode-pool.js';
import { imageName, prepareImage, runImageJob } from './image-job.js';
import { imageLimits } from './image-header.js';
import type { ImageLimits } from './image-header.js';
import type { ImageJob, ImageJobResult } from './image-job.js';
import type { RgbImage, TransformInfo } from './images.js';
import { buildIndex } from './layout.js';
import { layoutFor } from './layouts.js';
import { prefetch } from './prefetch.js';
import { Rng } from '../util/rng.js';
import { buildSynthIndex } from './synth-index.js';
import type { Vocabulary } from './vocab.js';
import { captionWordParts } from './synthbirds/word-parts.js';

export type {
  CommonDatasetConfig,
  DatasetConfig,
  DatasetEntry,
  DatasetKind,
  FolderDatasetConfig,
  FolderDatasetKind,
  SkippedFile,
  Split,
  SynthBirdsDatasetConfig,
} from './config.js';
export { layoutFor } from './layouts.js';

/** One image with all its captions. */
export interface Sample {
  /** Position in the split (0..size-1). */
  index: number;
  key: string;
  classId: number;
  /** RGB uint8 HWC after the bbox crop (CUB) or rendering (synthbirds) and the transform: `imageSizes.at(-1)` square. */
  image: RgbImage;
  /** The image's captions as word ids, before word drop (all `capsPerImage`, less any left without a known word). */
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
  /** Which of the image's captions was drawn (its position in the caption file or pickle). */
  captionIndex: number[];
  /**
   * With `BatchOptions.partGrid`: [B, g, g, K] the share of each part (`PARTS` order) in every cell of
   * a g×g grid over the last-size picture, after the same crop and flip (synthetic birds only).
   */
  parts?: tf.Tensor4D;
  /**
   * With `BatchOptions.wordParts`: [B·T] the part (`PARTS` index) each caption word names ("red" in
   * "red crown" → crown), −1 for other words and padding (synthetic birds only).
   */
  wordParts?: Int32Array;
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
  /**
   * Start the epoch at this batch (default 0). Every batch is a function of (seed, position) alone,
   * so a resumed run that skips the batches it already trained on sees exactly what it would have.
   */
  startBatch?: number;
  /**
   * Worker threads that decode and augment images (default 0 = on the calling thread). With a
   * synchronous training step (tfjs CPU / native backends keep the JS thread busy) only workers
   * let loading overlap the step; results are identical either way.
   */
  workers?: number;
  /** Also load part masks as `Batch.parts` on a grid of this many cells a side (synthetic birds only). */
  partGrid?: number;
  /** Also give each word the part it names, as `Batch.wordParts` (synthetic birds only). */
  wordParts?: boolean;
}


export interface Dataset {
  readonly config: Readonly<DatasetConfig>;
  readonly size: number;
  readonly vocab: Vocabulary;
  /** 'built' also for synthbirds (from its train + test captions, never saved). */
  readonly vocabSource: 'captions.pickle' | 'vocab.json' | 'built';
  readonly keys: readonly string[];
  /** Files left out so far with `onBadFile: 'skip'` (at open and while loading images). */
  readonly skipped: number;
  readonly skippedFiles: readonly SkippedFile[];
  /** Captions left without a single known word: never drawn (an image without any usable caption is a bad file). */
  readonly emptyCaptions: number;
  /** Non-fatal notes from opening (unknown words dropped, vocabulary not saved, ...). */
  readonly warnings: readonly string[];
  /** Load image i with the transform drawn from `rng` (crop, flip). */
  getSample(i: number, rng: Rng): Promise<Sample>;
  /** Ends the image worker threads, if any (they never keep the process alive on their own). */
  close(): Promise<void>;
  /**
   * One epoch of batches. Each batch's tensors belong to the consumer, which disposes them.
   * Batches are sorted by caption length, longest first, as the original's `prepare_data` does for
   * PyTorch's packed sequences; our text encoder masks padding and does not need it, but the order
   * is kept so that losses pairing images with captions match the reference batch for batch.
   */
  batches(opts: BatchOptions): AsyncIterable<Batch>;
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
  if (typeof cfg.split !== 'string' || !/^[\w.-]+$/.test(cfg.split) || cfg.split.startsWith('.')) {
    bad(`split must be a folder name such as train or test, got ${JSON.stringify(cfg.split)}`);
  }
  if (cfg.onBadFile !== 'error' && cfg.onBadFile !== 'skip') bad(`onBadFile must be error or skip, got ${String(cfg.onBadFile)}`);
  if (cfg.resizeRatio !== undefined && !(Number.isFinite(cfg.resizeRatio) && cfg.resizeRatio >= 1)) {
    bad(`resizeRatio must be a number ≥ 1 (the crop is taken from the resized image), got ${cfg.resizeRatio}`);
  }
  if (cfg.kind !== 'synthbirds') imageLimits(cfg.imageLimits);
  if (cfg.longCaptions !== undefined && cfg.longCaptions !== 'random_drop' && cfg.longCaptions !== 'truncate') {
    bad(`longCaptions must be random_drop or truncate, got ${String(cfg.longCaptions)}`);
  }
}


/**
 * Random word drop (datasets.py:269-287): a caption longer than `wordsNum` keeps a random subset of
 * `wordsNum` positions in their original order.
 */
export function dropWords(ids: readonly number[], wordsNum: number, rng: Rng): number[] {
  return keptWords(ids.length, wordsNum, rng).map((p) => ids[p]!);
}

/** The positions `dropWords` keeps of a caption of n words, in order. */
function keptWords(n: number, wordsNum: number, rng: Rng): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= wordsNum) return all;
  return rng.shuffle(all).slice(0, wordsNum).sort((a, b) => a - b);
}

const MAX_REPLACEMENTS = 16;

/** The one dataset implementation: entries from a folder index or from the synthetic generator. */
class EntriesDataset implements Dataset {
  readonly keys: readonly string[];
  readonly skippedFiles: SkippedFile[];
  private readonly bad = new Set<number>();
  private pool: DecodePool | undefined;
  private readonly limits: ImageLimits;

  constructor(
    readonly config: Readonly<DatasetConfig>,
    /** The folder, or a name for in-memory data, in messages. */
    private readonly where: string,
    private readonly entries: DatasetEntry[],
    readonly vocab: Vocabulary,
    readonly vocabSource: Dataset['vocabSource'],
    skipped: SkippedFile[],
    readonly warnings: readonly string[],
    readonly emptyCaptions: number,
  ) {
    this.keys = entries.map((e) => e.key);
    this.skippedFiles = skipped;
    this.limits = imageLimits(config.kind === 'synthbirds' ? undefined : config.imageLimits);
  }

  get size(): number {
    return this.entries.length;
  }

  get skipped(): number {
    return this.skippedFiles.length;
  }

  private job(i: number, seed: number, partGrid?: number): ImageJob {
    const entry = this.entries[i];
    if (!entry) throw new AttncError('ATTNC_DATA_INDEX', `sample ${i} is outside 0..${this.entries.length - 1}`);
    const { imageSizes, augment, resizeRatio } = this.config;
    return { ...entry.image, imageSizes, augment, ...(resizeRatio === undefined ? {} : { resizeRatio }), limits: this.limits, seed, ...(partGrid === undefined ? {} : { partGrid }) };
  }

  async getSample(i: number, rng: Rng): Promise<Sample> {
    const job = this.job(i, rng.uint32());
    const entry = this.entries[i]!;
    const { image, info } = await prepareImage(job);
    return { index: i, key: entry.key, classId: entry.classId, image, captions: entry.captions, transform: info };
  }

  /**
   * Image i's pyramid, or with 'skip' the pyramid of a replacement drawn from `rng` when image i
   * turns out to be unreadable (so batches stay full and the outcome does not depend on timing).
   */
  private async pyramidOrReplacement(i: number, imageSeed: number, rng: Rng, pool: DecodePool | undefined, partGrid: number | undefined): Promise<{ index: number; r: ImageJobResult }> {
    let idx = i;
    for (let attempt = 0; ; attempt++) {
      if (!this.bad.has(idx)) {
        try {
          const job = this.job(idx, imageSeed, partGrid);
          return { index: idx, r: pool ? await pool.run(job) : await runImageJob(job) };
        } catch (e) {
          if (this.config.onBadFile !== 'skip' || !isAttncError(e) || e.code === 'ATTNC_DATA_WORKER') throw e;
          if (!this.bad.has(idx)) {
            this.bad.add(idx);
            this.skippedFiles.push({ path: e.path ?? imageName(this.entries[idx]!.image), reason: e.message, code: e.code });
          }
        }
      }
      if (attempt >= MAX_REPLACEMENTS || this.bad.size >= this.entries.length) {
        throw new AttncError('ATTNC_DATA_EMPTY', `${this.where}: too many unreadable images (${this.bad.size} of ${this.entries.length})`, {
          path: this.where,
        });
      }
      idx = rng.int(this.entries.length);
    }
  }

  private async loadBatch(indices: readonly number[], seed: number, firstPosition: number, pool: DecodePool | undefined, partGrid: number | undefined, wordParts: boolean): Promise<Batch> {
    const cfg = this.config;
    const loaded = await Promise.all(
      indices.map((i, k) => {
        // Separate streams for the image (crop/flip, possibly in a worker) and the caption draws.
        const pos = firstPosition + k;
        const sample = Rng.stream(seed).fork(pos);
        const rng = sample.fork('draws');
        return this.pyramidOrReplacement(i, sample.fork('image').uint32(), rng, pool, partGrid).then((x) => ({ ...x, rng }));
      }),
    );
    const rows = loaded.map(({ index, r, rng }) => {
      const entry = this.entries[index]!;
      const drawn = rng.int(entry.captions.length);
      const caption = entry.captions[drawn]!;
      const captionIndex = entry.captionSlots[drawn]!;
      const kept = cfg.longCaptions === 'truncate' ? Array.from({ length: Math.min(caption.length, cfg.wordsNum) }, (_, i) => i) : keptWords(caption.length, cfg.wordsNum, rng);
      const ids = kept.map((p) => caption[p]!);
      return { entry, levels: r.levels, parts: r.parts, captionIndex, ids, caption, kept };
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
      levels.forEach((l, li) => l.data.set(r.levels[li]!, b * l.size * l.size * 3));
    });
    return {
      images: levels.map(({ size, data }) => tf.tensor4d(data, [B, size, size, 3], 'float32')),
      captions: tf.tensor2d(caps, [B, T], 'int32'),
      lengths: order.map((k) => rows[k]!.ids.length),
      classIds: order.map((k) => rows[k]!.entry.classId),
      keys: order.map((k) => rows[k]!.entry.key),
      captionIndex: order.map((k) => rows[k]!.captionIndex),
      ...(partGrid === undefined ? {} : { parts: partsTensor(order.map((k) => rows[k]!.parts!), partGrid) }),
      ...(wordParts ? { wordParts: this.wordParts(order.map((k) => rows[k]!), T) } : {}),
    };
  }

  /**
   * `Batch.wordParts`: the whole caption is parsed, then the kept words take their parts, so a word
   * drop ("red crown and grey wings" → "crown red wings") cannot attach a colour to the wrong noun.
   */
  private wordParts(rows: readonly { caption: readonly number[]; kept: readonly number[] }[], T: number): Int32Array {
    const out = new Int32Array(rows.length * T).fill(-1);
    rows.forEach(({ caption, kept }, b) => {
      const parts = captionWordParts(caption, this.vocab);
      kept.forEach((p, t) => (out[b * T + t] = parts[p]!));
    });
    return out;
  }

  private poolFor(workers: number): DecodePool | undefined {
    if (workers <= 0) return undefined;
    if (this.pool && this.pool.size !== workers) {
      void this.pool.close();
      this.pool = undefined;
    }
    this.pool ??= new DecodePool(workers);
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  batches(opts: BatchOptions): AsyncIterable<Batch> {
    const { batchSize } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new AttncError('ATTNC_DATA_CONFIG', `batchSize must be a positive integer, got ${batchSize}`);
    }
    const seed = opts.seed ?? this.config.seed;
    const depth = opts.prefetch ?? 2;
    const order = Array.from({ length: this.entries.length }, (_, i) => i);
    if (opts.shuffle ?? true) Rng.stream(seed).shuffle(order);
    const dropLast = opts.dropLast ?? true;
    const workers = opts.workers ?? 0;
    if (!Number.isInteger(workers) || workers < 0) throw new AttncError('ATTNC_DATA_CONFIG', `workers must be a non-negative integer, got ${workers}`);
    const partGrid = opts.partGrid;
    if (partGrid !== undefined && this.config.kind !== 'synthbirds') {
      throw new AttncError('ATTNC_DATA_CONFIG', `${this.where}: part masks exist only for synthetic birds (data.kind: synthbirds)`, { hint: 'turn the image encoder\'s part loss off for this dataset' });
    }
    const wordParts = opts.wordParts ?? false;
    if (wordParts && this.config.kind !== 'synthbirds') {
      throw new AttncError('ATTNC_DATA_CONFIG', `${this.where}: the part each word names is known only for synthetic birds (data.kind: synthbirds)`, { hint: 'turn `part_words` of the DAMSM loss off for this dataset' });
    }
    const startBatch = opts.startBatch ?? 0;
    if (!Number.isInteger(startBatch) || startBatch < 0) throw new AttncError('ATTNC_DATA_CONFIG', `startBatch must be a non-negative integer, got ${startBatch}`);
    const self = this;
    function* jobs(): Generator<() => Promise<Batch>> {
      for (let start = startBatch * batchSize; start < order.length; start += batchSize) {
        const indices = order.slice(start, start + batchSize);
        if (indices.length < batchSize && dropLast) return;
        yield () => self.loadBatch(indices, seed, start, self.poolFor(workers), partGrid, wordParts);
      }
    }
    return { [Symbol.asyncIterator]: () => prefetch(jobs(), depth, disposeBatch) };
  }
}

function partsTensor(cells: Float32Array[], grid: number): tf.Tensor4D {
  const per = cells[0]!.length;
  const data = new Float32Array(cells.length * per);
  cells.forEach((c, b) => data.set(c, b * per));
  return tf.tensor4d(data, [cells.length, grid, grid, per / (grid * grid)], 'float32');
}

export function disposeBatch(b: Batch): void {
  tf.dispose([...b.images, b.captions, ...(b.parts ? [b.parts] : [])]);
}

/**
 * Open a dataset. A folder: reads the split list, captions and vocabulary now; images on demand.
 * synthbirds: computes attributes, captions and splits now (no pixels); renders images on demand.
 */
export async function openDataset(cfg: DatasetConfig): Promise<Dataset> {
  checkConfig(cfg);
  if (cfg.kind === 'synthbirds') {
    const index = buildSynthIndex(cfg);
    return new EntriesDataset({ ...cfg }, 'synthbirds', index.entries, index.vocab, 'built', [], index.warnings, index.emptyCaptions);
  }
  try {
    const st = await fs.stat(cfg.root);
    if (!st.isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new AttncError('ATTNC_IO_READ', `${cfg.root}: dataset folder not found`, { path: cfg.root, cause: e });
  }
  const index = await buildIndex(cfg, layoutFor(cfg));
  const entries = index.entries.map(({ key, classId, captions, captionSlots, imagePath, bbox }): DatasetEntry => ({ key, classId, captions, captionSlots, image: { imagePath, bbox } }));
  return new EntriesDataset({ ...cfg }, cfg.root, entries, index.vocab, index.vocabSource, index.skippedFiles, index.warnings, index.emptyCaptions);
}
