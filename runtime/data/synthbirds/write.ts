import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttncError } from '../../util/errors.js';
import { writePickle } from '../../io/pickle.js';
import { Vocabulary } from '../vocab.js';
import { COLOURS, NUM_CLASSES } from './attributes.js';
import { tokenize } from './captions.js';
import type { SynthBirds } from './dataset.js';
import { contactSheet, encodeRgbPng } from './png.js';
import { SPLITS, type SynthSplit } from './splits.js';

export const MANIFEST_FILE = 'synthbirds.json';
export const PREVIEW_COUNT = 64;
/** Preview cells are at most this many pixels wide: 64 birds must fit on a screen. */
export const PREVIEW_CELL = 64;

export interface WriteSynthBirdsOptions {
  /** Called after every image (cheap; throttle in the caller). */
  onProgress?: (done: number, total: number) => void;
  /** Write into a non-empty folder that is not a synthbirds dataset. */
  force?: boolean;
}

export interface WriteSynthBirdsResult {
  outDir: string;
  counts: Record<SynthSplit, number>;
  /** Distinct class ids per split. */
  classes: Record<SynthSplit, number>;
  vocabularySize: number;
  files: number;
  bytes: number;
}

/** One line of `attributes.jsonl`. */
export interface SynthAttributesRecord {
  index: number;
  key: string;
  split: SynthSplit;
  classId: number;
  wing: string;
  belly: string;
  crown: string;
  beak: string;
  size: string;
  background: string;
  facing: string;
  /** [x, y, w, h] in pixels of the written image. */
  bbox: [number, number, number, number];
}

function ioError(e: unknown, file: string, what: string): AttncError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
    : err.code === 'EROFS' ? 'read-only file system'
      : err.code === 'ENOSPC' ? 'no space left on device'
        : err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a file is in the way'
          : err.code === 'ENOENT' ? 'the folder cannot be created here'
          : (err.message ?? String(e));
  return new AttncError('ATTNC_IO_WRITE', `cannot write ${what}: ${why}`, { path: file, cause: e, hint: 'choose another --out folder' });
}

/**
 * Write `ds` in AttnGAN's CUB layout (docs/original.md §1) under `outDir`:
 *
 * - `CUB_200_2011/images/<key>.jpg` — PNG data under the name the original's `get_imgs` opens
 *   (`%s/images/%s.jpg`; PIL and attnc's loader detect the format from the bytes), so both train on
 *   lossless, identical pixels;
 * - `CUB_200_2011/images.txt`, `CUB_200_2011/bounding_boxes.txt` (the bird's true box);
 * - `text/<key>.txt` (10 captions), `{train,test,heldout}/filenames.pickle` + `class_info.pickle`;
 * - `captions.pickle` (`[train_caps, test_caps, ixtoword, wordtoix]`, sorted vocabulary);
 * - `example_filenames.txt` + `example_captions.txt` (held-out captions for `gen_example`);
 * - `attributes.jsonl` (every image's labels), `synthbirds.json` (how it was made), `preview.png`.
 *
 * The original code reads `train/` and `test/`; `heldout/` is extra and only attnc reads it.
 */
export function writeSynthBirds(ds: SynthBirds, outDir: string, opts: WriteSynthBirdsOptions = {}): WriteSynthBirdsResult {
  const root = path.resolve(outDir);
  prepareOutDir(root, !!opts.force);
  let files = 0;
  let bytes = 0;
  const made = new Set<string>();
  const write = (rel: string, data: string | Uint8Array, what: string) => {
    const file = path.join(root, rel);
    const dir = path.dirname(file);
    try {
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      fs.writeFileSync(file, data);
    } catch (e) {
      throw ioError(e, file, what);
    }
    files++;
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  };

  const total = ds.items.length;
  const imagesTxt: string[] = [];
  const bboxTxt: string[] = [];
  const attrs: string[] = [];
  const preview: Array<{ rgb: Uint8Array; width: number; height: number }> = [];
  for (const it of ds.items) {
    const img = ds.render(it.index);
    write(`CUB_200_2011/images/${it.key}.jpg`, encodeRgbPng(img.rgb, img.width, img.height), 'an image');
    write(`text/${it.key}.txt`, it.captions.join('\n') + '\n', 'a caption file');
    const id = it.index + 1;
    imagesTxt.push(`${id} ${it.key}.jpg`);
    bboxTxt.push(`${id} ${img.bbox.map((v) => v.toFixed(1)).join(' ')}`);
    const rec: SynthAttributesRecord = { index: it.index, key: it.key, split: it.split, classId: it.classId, ...it.attributes, bbox: img.bbox };
    attrs.push(JSON.stringify(rec));
    if (preview.length < PREVIEW_COUNT) preview.push(ds.size <= PREVIEW_CELL ? img : ds.render(it.index, PREVIEW_CELL));
    opts.onProgress?.(it.index + 1, total);
  }
  write('CUB_200_2011/images.txt', lines(imagesTxt), 'images.txt');
  write('CUB_200_2011/bounding_boxes.txt', lines(bboxTxt), 'bounding_boxes.txt');
  write('attributes.jsonl', lines(attrs), 'attributes.jsonl');

  const counts = {} as Record<SynthSplit, number>;
  const classes = {} as Record<SynthSplit, number>;
  for (const split of SPLITS) {
    const items = ds.splits[split].map((i) => ds.items[i]!);
    write(`${split}/filenames.pickle`, writePickle(items.map((it) => it.key)), `${split}/filenames.pickle`);
    write(`${split}/class_info.pickle`, writePickle(items.map((it) => it.classId)), `${split}/class_info.pickle`);
    counts[split] = items.length;
    classes[split] = new Set(items.map((it) => it.classId)).size;
  }

  // Vocabulary over every caption (a superset of train + test, so held-out captions have no unknown words).
  const tokens = (split: SynthSplit) => ds.splits[split].flatMap((i) => ds.items[i]!.captions.map(tokenize));
  const vocab = Vocabulary.build([...tokens('train'), ...tokens('test'), ...tokens('heldout')]);
  const encode = (split: SynthSplit) => tokens(split).map((t) => vocab.encode(t).ids);
  const ixtoword = new Map<number, string>(vocab.ixToWord.map((w, i) => [i, w]));
  const wordtoix = Object.fromEntries(vocab.ixToWord.map((w, i) => [w, i]));
  write('captions.pickle', writePickle([encode('train'), encode('test'), ixtoword, wordtoix]), 'captions.pickle');

  const examples = (ds.splits.heldout.length > 0 ? ds.splits.heldout : ds.splits.test).slice(0, 16);
  write('example_filenames.txt', 'example_captions\n', 'example_filenames.txt');
  write('example_captions.txt', lines(examples.map((i) => ds.items[i]!.captions[0]!)), 'example_captions.txt');

  const manifest = {
    format: 'attnc-synthbirds',
    version: 1,
    n: ds.n,
    size: ds.size,
    seed: ds.seed,
    testFraction: ds.testFraction,
    heldoutFraction: ds.heldoutFraction,
    captionsPerImage: ds.captionsPerImage,
    colours: COLOURS,
    numClasses: NUM_CLASSES,
    classId: '1 + (wing * 9 + belly) * 9 + crown, colour indices into "colours"',
    counts,
    classes,
    heldoutClassIds: ds.heldoutClassIds,
    vocabularySize: vocab.size,
    images: 'CUB_200_2011/images/<key>.jpg hold PNG data (lossless; PIL and attnc detect the format from the bytes)',
  };
  write(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n', MANIFEST_FILE);
  const sheet = contactSheet(preview, 8);
  write('preview.png', encodeRgbPng(sheet.rgb, sheet.width, sheet.height), 'preview.png');

  return { outDir: root, counts, classes, vocabularySize: vocab.size, files, bytes };
}

function lines(xs: readonly string[]): string {
  return xs.length === 0 ? '' : xs.join('\n') + '\n';
}

/** The folder must be creatable and either empty, missing, or an earlier synthbirds dataset. */
function prepareOutDir(root: string, force: boolean): void {
  let entries: string[] | undefined;
  try {
    const st = fs.statSync(root);
    if (!st.isDirectory()) {
      throw new AttncError('ATTNC_IO_WRITE', `output path is a file, not a folder`, { path: root, hint: 'choose another --out folder' });
    }
    entries = fs.readdirSync(root);
  } catch (e) {
    if (e instanceof AttncError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, root, 'the output folder');
  }
  if (entries && entries.length > 0 && !entries.includes(MANIFEST_FILE) && !force) {
    throw new AttncError('ATTNC_IO_WRITE', `output folder is not empty and holds no synthetic birds dataset (${MANIFEST_FILE})`, {
      path: root,
      hint: 'choose an empty or new --out folder, or pass --force to write into it anyway',
    });
  }
  try {
    if (entries?.includes(MANIFEST_FILE)) {
      // Regenerating over an earlier dataset: drop its per-image files so no stale image survives.
      for (const dir of ['CUB_200_2011/images', 'text']) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
    }
    mkdirs(root);
    fs.accessSync(root, fs.constants.W_OK);
  } catch (e) {
    throw ioError(e, root, 'the output folder');
  }
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdirSync never returns for paths under
 * pseudo file systems such as /proc, where mkdir answers ENOENT with an existing parent.
 */
function mkdirs(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!fs.existsSync(d)) {
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) fs.mkdirSync(m);
}
