import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AttncError, isAttncError } from '../util/errors.js';
import type { FolderDatasetConfig, FolderDatasetKind } from './config.js';
import { layoutFor } from './layouts.js';
import { imageLimits, inspectImage } from './image-header.js';
import type { ImageLimits } from './image-header.js';
import { bboxCropBox, decodeImage } from './images.js';
import { buildIndex, mapLimit } from './layout.js';
import { readExampleCaptions } from './examples.js';
import { fileExists, readBoundedFile } from '../io/read-file.js';

export interface DataCheckOptions {
  /** Layout; detected from the folder when unset. */
  kind?: FolderDatasetKind;
  /** Splits to check (default: train and test, plus any other `<split>/filenames.pickle` for CUB and COCO). */
  splits?: string[];
  /** Default CUB 10, COCO 5, custom 1. */
  capsPerImage?: number;
  followSymlinks?: boolean;
  imageLimits?: Partial<ImageLimits>;
  /** Decode every image fully, not only its headers and structure (slower). */
  decode?: boolean;
  /** Called after each image with (done, total). */
  onProgress?(done: number, total: number): void;
}

export interface DataProblem {
  code: string;
  message: string;
  path?: string;
  hint?: string;
}

export interface SplitReport {
  split: string;
  /** Keys in the split list (undefined when the list itself could not be read). */
  listed: number | undefined;
  /** Images with readable captions and a file, before the image check. */
  indexed: number;
  /** Images whose file passed the image check. */
  imagesOk: number;
  emptyCaptions: number;
}

export interface DataCheckReport {
  root: string;
  kind: FolderDatasetKind;
  kindDetected: boolean;
  splits: SplitReport[];
  imagesChecked: number;
  exampleFiles: number;
  problems: DataProblem[];
  warnings: string[];
}

/** The layout of a dataset folder: CUB (CUB_200_2011/), COCO (split pickles + images/), custom (train.txt / test.txt). */
export async function detectKind(root: string): Promise<FolderDatasetKind | undefined> {
  const has = (...p: string[]) => fileExists(path.join(root, ...p));
  if (await has('CUB_200_2011')) return 'cub';
  if ((await has('train', 'filenames.pickle')) || (await has('test', 'filenames.pickle'))) return (await has('images')) ? 'coco' : 'cub';
  if ((await has('train.txt')) || (await has('test.txt'))) return 'custom';
  return undefined;
}

async function splitsOf(root: string, kind: FolderDatasetKind): Promise<string[]> {
  const names = await fs.readdir(root, { withFileTypes: true });
  // Custom split lists are plain <split>.txt files beside caption files of any name: only train and
  // test are assumed (others by --split).
  const found = kind === 'custom'
    ? names.filter((d) => d.isFile() && (d.name === 'train.txt' || d.name === 'test.txt')).map((d) => d.name.slice(0, -4))
    : (await Promise.all(names.filter((d) => d.isDirectory()).map(async (d) => ((await fileExists(path.join(root, d.name, 'filenames.pickle'))) ? d.name : undefined)))).filter((x): x is string => !!x);
  const order = (s: string) => (s === 'train' ? 0 : s === 'test' ? 1 : 2);
  return found.sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
}

const problemOf = (e: AttncError): DataProblem => ({ code: e.code, message: e.message, ...(e.path ? { path: e.path } : {}), ...(e.hint ? { hint: e.hint } : {}) });

/**
 * Open a dataset folder the way training does and read every split list, caption file and image
 * header (or whole image with `decode`), collecting every problem instead of stopping at the first.
 * Nothing is written into the folder (a vocabulary built for the check goes to a temporary file).
 * Throws only when there is nothing to check (no folder, unknown layout).
 */
export async function checkDataset(root: string, opts: DataCheckOptions = {}): Promise<DataCheckReport> {
  try {
    if (!(await fs.stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new AttncError('ATTNC_IO_READ', `${root}: dataset folder not found`, { path: root, cause: e });
  }
  const detected = opts.kind === undefined;
  const kind = opts.kind ?? (await detectKind(root));
  if (!kind) {
    throw new AttncError('ATTNC_DATA_MISSING', `${root}: not a CUB, COCO or custom dataset folder (no CUB_200_2011/, <split>/filenames.pickle or train.txt)`, {
      path: root,
      hint: 'the layouts are described in docs/datasets.md; pass --kind to say which one this is',
    });
  }
  const limits = imageLimits(opts.imageLimits);
  const report: DataCheckReport = { root, kind, kindDetected: detected, splits: [], imagesChecked: 0, exampleFiles: 0, problems: [], warnings: [] };
  const seen = new Set<string>();
  const add = (p: DataProblem) => {
    const id = `${p.code}\u0000${p.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      report.problems.push(p);
    }
  };
  const vocabJson = path.join(root, 'vocab.json');
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'attnc-data-check-'));
  try {
    const vocabFile = (await fileExists(vocabJson)) ? vocabJson : path.join(scratch, 'vocab.json');
    const splits = opts.splits ?? (await splitsOf(root, kind));
    if (splits.length === 0) add({ code: 'ATTNC_DATA_MISSING', message: `${root}: no split lists found`, path: root, hint: 'docs/datasets.md describes each layout' });
    let vocab;
    const images: { file: string; bbox: readonly [number, number, number, number] | undefined; split: SplitReport }[] = [];
    for (const split of splits) {
      const cfg: FolderDatasetConfig = {
        kind,
        root,
        split,
        capsPerImage: opts.capsPerImage ?? (kind === 'cub' ? 10 : kind === 'coco' ? 5 : 1),
        wordsNum: 18,
        imageSizes: [64],
        augment: false,
        onBadFile: 'skip',
        seed: 0,
        vocabFile,
        followSymlinks: opts.followSymlinks ?? false,
        imageLimits: limits,
      };
      const sr: SplitReport = { split, listed: undefined, indexed: 0, imagesOk: 0, emptyCaptions: 0 };
      report.splits.push(sr);
      const layout = layoutFor(cfg);
      try {
        sr.listed = (await layout.listSplit(split))?.keys.length;
        const index = await buildIndex(cfg, layout, { allowEmpty: true });
        if (sr.listed === 0) report.warnings.push(`${split}: ${layout.splitListPath(split)} lists no images`);
        vocab ??= index.vocab;
        sr.indexed = index.entries.length;
        sr.emptyCaptions = index.emptyCaptions;
        for (const f of index.skippedFiles) add({ code: f.code, message: f.reason, path: f.path });
        report.warnings.push(...index.warnings.map((w) => `${split}: ${w}`));
        for (const e of index.entries) images.push({ file: e.imagePath, bbox: e.bbox, split: sr });
      } catch (e) {
        if (!isAttncError(e)) throw e;
        add(problemOf(e));
      }
    }
    let done = 0;
    await mapLimit(images, 8, async ({ file, bbox, split }) => {
      try {
        const bytes = await readBoundedFile(file, { code: 'ATTNC_DATA_IMAGE', what: 'image', maxBytes: limits.maxFileBytes });
        const h = opts.decode ? decodeImage(bytes, file, limits) : inspectImage(bytes, file, limits);
        if (bbox) {
          const [x1, y1, x2, y2] = bboxCropBox(bbox, h.width, h.height);
          if (x2 <= x1 || y2 <= y1) throw new AttncError('ATTNC_DATA_IMAGE', `${file}: bounding box [${bbox.join(', ')}] lies outside the ${h.width}×${h.height} image`, { path: file });
        }
        split.imagesOk++;
      } catch (e) {
        if (!isAttncError(e)) throw e;
        add(problemOf(e));
      }
      report.imagesChecked++;
      opts.onProgress?.(++done, images.length);
    });
    if (vocab && (await fileExists(path.join(root, 'example_filenames.txt')))) {
      try {
        const ex = await readExampleCaptions(root, vocab, { followSymlinks: opts.followSymlinks ?? false });
        report.exampleFiles = ex.length;
        for (const e of ex) if (e.skipped.length) report.warnings.push(`${e.file}: ${e.skipped.length} caption line(s) without a word in the vocabulary are left out`);
      } catch (e) {
        if (!isAttncError(e)) throw e;
        add(problemOf(e));
      }
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  // By file, so the report does not depend on the order concurrent reads finish in.
  const where = (p: DataProblem) => p.path ?? p.message;
  report.problems.sort((a, b) => (where(a) < where(b) ? -1 : where(a) > where(b) ? 1 : 0));
  return report;
}
