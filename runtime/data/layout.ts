import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AttncError, isAttncError } from '../util/errors.js';
import type { FolderDatasetConfig, SkippedFile, Split } from './config.js';
import { DatasetFiles } from './dataset-keys.js';
import type { BBox } from './images.js';
import { exists, parseCaptionsPickle, readFileOrFail } from './metadata.js';
import { readPickle } from '../io/pickle.js';
import { readTextFile } from '../io/read-file.js';
import { parseCaptionFile } from './tokenizer.js';
import { keepNonEmpty, Vocabulary } from './vocab.js';
import { readVocabularyFile } from './vocab-file.js';

/** What a folder layout (CUB, COCO, custom) tells the shared loader. */
export interface Layout {
  /** Keys (each checked by checkKey) and class ids of a split in file order, and the list file; `undefined` when that split has no list. */
  listSplit(split: Split): Promise<{ keys: string[]; classIds: number[]; file: string } | undefined>;
  /** The folders keys are joined to: a keyed file must really lie inside one of them or the dataset folder. */
  imageFolder: string;
  textFolder: string;
  /** Where the split list lives, for messages. */
  splitListPath(split: Split): string;
  /** Image file candidates for a key, first existing one wins (content is sniffed, not the suffix). */
  imageCandidates(key: string): string[];
  textPath(key: string): string;
  /** Crop boxes by key (CUB only). */
  bboxes?(): Promise<Map<string, BBox>>;
}

export interface IndexEntry {
  key: string;
  classId: number;
  imagePath: string;
  bbox: BBox | undefined;
  /** 1..`capsPerImage` captions as word ids (out-of-vocabulary words dropped, captions left empty dropped). */
  captions: number[][];
  /** Position of each kept caption among the image's captions. */
  captionSlots: number[];
}

export interface DatasetIndex {
  entries: IndexEntry[];
  vocab: Vocabulary;
  vocabSource: 'captions.pickle' | 'vocab.json' | 'built';
  vocabFile: string | undefined;
  skippedFiles: SkippedFile[];
  /** Captions without a single word of the vocabulary: never drawn (an image left with none is a bad file). */
  emptyCaptions: number;
  warnings: string[];
}

const TEXT_CONCURRENCY = 64;

/**
 * `fn` over `xs` with at most `limit` calls in flight; results in input order. The first failure
 * rejects at once and no further call starts (a list of 10 million keys naming a missing file fails
 * on it, instead of stat-ing the rest in the background).
 */
export async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < xs.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(xs[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}

/** Tokenised captions of one caption file (shared text rule), or the AttncError explaining why not. */
export async function readCaptionTokens(file: string, capsPerImage: number): Promise<string[][]> {
  const text = await readTextFile(file, { code: 'ATTNC_DATA_CAPTIONS', what: 'caption file', hint: 'every image needs a caption file text/<key>.txt' });
  return parseCaptionFile(text, capsPerImage, file);
}

/**
 * Everything the dataset needs at open time: the split's keys, class ids, image paths, bboxes and
 * encoded captions, and the vocabulary. Captions come from `captions.pickle` when it exists (its
 * vocabulary and ids are used exactly, like the original), otherwise from the text files, encoded
 * with `vocab.json` (built from train + test captions and saved on first open). `allowEmpty`
 * (for `attnc data check`) returns an empty index instead of failing when nothing is usable.
 */
export async function buildIndex(cfg: FolderDatasetConfig, layout: Layout, opts: { allowEmpty?: boolean } = {}): Promise<DatasetIndex> {
  const skippedFiles: SkippedFile[] = [];
  const warnings: string[] = [];
  const skipOr = (e: unknown, file: string): void => {
    if (cfg.onBadFile === 'skip' && isAttncError(e)) skippedFiles.push({ path: e.path ?? file, reason: e.message, code: e.code });
    else throw e;
  };
  const files = new DatasetFiles(cfg.root, cfg.followSymlinks ?? false);
  const origin = (key: string, listFile: string) => `listed as ${JSON.stringify(key)} in ${listFile}`;

  const listed = await layout.listSplit(cfg.split);
  if (!listed) {
    throw new AttncError('ATTNC_DATA_MISSING', `${layout.splitListPath(cfg.split)}: split list not found`, {
      path: layout.splitListPath(cfg.split),
      hint: `the ${cfg.kind} layout is described in docs/datasets.md`,
    });
  }
  const { keys, classIds, file: listFile } = listed;
  if (keys.length === 0 && !opts.allowEmpty) throw new AttncError('ATTNC_DATA_EMPTY', `${layout.splitListPath(cfg.split)}: the ${cfg.split} split lists no images`);

  // Captions and vocabulary.
  const picklePath = path.join(cfg.root, 'captions.pickle');
  let vocab: Vocabulary;
  let vocabSource: DatasetIndex['vocabSource'];
  let vocabFile: string | undefined;
  const captionsByKey: (number[][] | undefined)[] = new Array(keys.length);
  const readTokens = (ks: readonly string[], from: string, countSkips: boolean) =>
    mapLimit(ks, TEXT_CONCURRENCY, async (key) => {
      try {
        const file = layout.textPath(key);
        if (!(await files.exists(file, layout.textFolder, origin(key, from)))) {
          throw new AttncError('ATTNC_DATA_CAPTIONS', `${file}: caption file not found`, { path: file, hint: 'every image needs a caption file text/<key>.txt' });
        }
        return await readCaptionTokens(file, cfg.capsPerImage);
      } catch (e) {
        if (countSkips) skipOr(e, layout.textPath(key));
        else if (!(cfg.onBadFile === 'skip' && isAttncError(e))) throw e; // counted when that split is opened
        return undefined;
      }
    });
  const isAttnGanSplit = cfg.split === 'train' || cfg.split === 'test';
  if ((await exists(picklePath)) && isAttnGanSplit) {
    const p = parseCaptionsPickle(readPickle(await readFileOrFail(picklePath, 'ATTNC_DATA_MISSING', 'captions pickle'), picklePath), picklePath);
    vocab = p.vocab;
    vocabSource = 'captions.pickle';
    vocabFile = picklePath;
    const caps = cfg.split === 'train' ? p.train : p.test;
    if (caps.length !== keys.length * cfg.capsPerImage) {
      throw new AttncError(
        'ATTNC_DATA_PICKLE',
        `${picklePath}: holds ${caps.length} ${cfg.split} captions, but ${layout.splitListPath(cfg.split)} lists ` +
          `${keys.length} images × ${cfg.capsPerImage} captions per image = ${keys.length * cfg.capsPerImage}`,
        {
          path: picklePath,
          hint: 'check capsPerImage (CUB 10, COCO 5) and that the pickle belongs to these filenames.pickle files ' +
            '(rebuilding it from text/ changes the word ids that trained text encoders depend on)',
        },
      );
    }
    for (let i = 0; i < keys.length; i++) captionsByKey[i] = caps.slice(i * cfg.capsPerImage, (i + 1) * cfg.capsPerImage);
  } else {
    const tokens = await readTokens(keys, listFile, true);
    vocabFile = cfg.vocabFile ?? path.join(cfg.root, 'vocab.json');
    if (await exists(picklePath)) {
      // A split the pickle does not hold (e.g. 'heldout'): its text, the pickle's vocabulary.
      vocab = parseCaptionsPickle(readPickle(await readFileOrFail(picklePath, 'ATTNC_DATA_MISSING', 'captions pickle'), picklePath), picklePath).vocab;
      vocabSource = 'captions.pickle';
      vocabFile = picklePath;
    } else if (await exists(vocabFile)) {
      vocab = await readVocabularyFile(vocabFile);
      vocabSource = 'vocab.json';
    } else {
      // Like the original, the vocabulary covers the train and test captions (whichever split is
      // opened first, the same vocabulary results).
      const all: string[][] = [];
      const used: string[] = [];
      for (const s of ['train', 'test'] as const) {
        let ts: (string[][] | undefined)[];
        if (s === cfg.split) ts = tokens;
        else {
          const listed = await layout.listSplit(s);
          if (!listed) {
            warnings.push(`${layout.splitListPath(s)} not found: the vocabulary does not cover ${s} captions`);
            continue;
          }
          ts = await readTokens(listed.keys, listed.file, false);
        }
        used.push(s);
        for (const t of ts) if (t) all.push(...t);
      }
      if (used.length === 0) {
        warnings.push(`no train or test split: vocabulary built from the ${cfg.split} captions`);
        for (const t of tokens) if (t) all.push(...t);
      }
      vocab = Vocabulary.build(all);
      vocabSource = 'built';
      try {
        const tmp = `${vocabFile}.${process.pid}.tmp`;
        // 'wx': never through a file or link that is already there.
        await fs.writeFile(tmp, JSON.stringify(vocab.toJSON()) + '\n', { flag: 'wx' });
        await fs.rename(tmp, vocabFile);
      } catch (e) {
        warnings.push(`could not save the vocabulary to ${vocabFile} (${(e as Error).message}); it is rebuilt on every open`);
      }
    }
    let unknown = 0;
    tokens.forEach((t, i) => {
      if (!t) return;
      captionsByKey[i] = t.map((c) => {
        const enc = vocab.encode(c);
        unknown += enc.unknown.length;
        return enc.ids;
      });
    });
    if (unknown > 0) warnings.push(`${unknown} caption word(s) are not in ${vocabFile} and were dropped`);
  }

  // A caption without a single known word would be a zero-length row in a batch: never drawn.
  let emptyCaptions = 0;
  const kept = captionsByKey.map((caps, i) => {
    if (!caps) return undefined;
    const k = keepNonEmpty(caps);
    emptyCaptions += caps.length - k.captions.length;
    if (k.captions.length > 0) return k;
    const fromPickle = vocabSource === 'captions.pickle' && isAttnGanSplit;
    const file = fromPickle ? picklePath : layout.textPath(keys[i]!);
    skipOr(
      new AttncError('ATTNC_DATA_CAPTIONS', fromPickle ? `${file}: every caption of ${keys[i]} is empty` : `${file}: every caption is empty after dropping words not in ${vocabFile}`, {
        path: file,
        hint: 'an image needs at least one caption with a known word; fix the captions or the vocabulary, or use onBadFile: "skip"',
      }),
      file,
    );
    return undefined;
  });
  if (emptyCaptions > 0) warnings.push(`${emptyCaptions} caption(s) have no word in the vocabulary and are never drawn`);

  // Images and crop boxes.
  const bboxes = layout.bboxes ? await layout.bboxes() : undefined;
  const imagePaths = await mapLimit(keys, TEXT_CONCURRENCY, async (key, i) => {
    if (!kept[i]) return undefined;
    const candidates = layout.imageCandidates(key);
    try {
      for (const c of candidates) if (await files.exists(c, layout.imageFolder, origin(key, listFile))) return c;
    } catch (e) {
      skipOr(e, candidates[0]!);
      return undefined;
    }
    const err = new AttncError('ATTNC_DATA_IMAGE', `${candidates[0]}: image not found`, {
      path: candidates[0]!,
      ...(candidates.length > 1 ? { hint: `also looked for ${candidates.slice(1).join(', ')}` } : {}),
    });
    skipOr(err, candidates[0]!);
    return undefined;
  });
  const entries: IndexEntry[] = [];
  for (let i = 0; i < keys.length; i++) {
    const imagePath = imagePaths[i];
    const k = kept[i];
    if (!imagePath || !k) continue;
    let bbox: BBox | undefined;
    if (bboxes) {
      bbox = bboxes.get(keys[i]!);
      if (!bbox) {
        try {
          throw new AttncError('ATTNC_DATA_BBOX', `${imagePath}: no bounding box for key ${keys[i]} in CUB_200_2011/bounding_boxes.txt`, { path: imagePath });
        } catch (e) {
          skipOr(e, imagePath);
          continue;
        }
      }
    }
    entries.push({ key: keys[i]!, classId: classIds[i]!, imagePath, bbox, captions: k.captions, captionSlots: k.captionSlots });
  }
  if (entries.length === 0 && !opts.allowEmpty) {
    throw new AttncError('ATTNC_DATA_EMPTY', `${cfg.root}: no usable images in the ${cfg.split} split (${skippedFiles.length} skipped)`, {
      path: cfg.root,
      ...(skippedFiles[0] ? { hint: `first problem: ${skippedFiles[0].reason}` } : {}),
    });
  }
  return { entries, vocab, vocabSource, vocabFile, skippedFiles, emptyCaptions, warnings };
}
