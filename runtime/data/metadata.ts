import * as path from 'node:path';
import { AttncError, type ErrorCode } from '../util/errors.js';
import { keyError, keyProblem } from './dataset-keys.js';
import { fileExists, MAX_METADATA_BYTES, readBoundedFile } from '../io/read-file.js';
import { readPickle, writePickle } from '../io/pickle.js';
import type { PickleValue } from '../io/pickle.js';
import { Vocabulary } from './vocab.js';

/** Read a whole metadata file (at most MAX_METADATA_BYTES); a missing or unreadable file is an `AttncError` naming it. */
export async function readFileOrFail(file: string, code: ErrorCode, what: string, hint?: string): Promise<Uint8Array> {
  return readBoundedFile(file, { code, what, maxBytes: MAX_METADATA_BYTES, ...(hint ? { hint } : {}) });
}

export const exists = fileExists;

export async function readPickleFile(file: string, what: string, hint?: string): Promise<PickleValue> {
  return readPickle(await readFileOrFail(file, 'ATTNC_DATA_MISSING', what, hint), file);
}

/** AttnGAN's split list `<root>/<split>/filenames.pickle` (CUB and COCO). */
export function filenamesPicklePath(root: string, split: string): string {
  return path.join(root, split, 'filenames.pickle');
}

/**
 * The keys of `<root>/<split>/filenames.pickle`, or undefined when the split has no list. Every key
 * must name a file inside the folders it is joined to (`folders`, for messages; see checkKey).
 */
export async function readSplitKeys(root: string, split: string, folders: string): Promise<{ file: string; keys: string[] } | undefined> {
  const file = filenamesPicklePath(root, split);
  if (!(await exists(file))) return undefined;
  return { file, keys: parseFilenames(await readPickleFile(file, 'filenames pickle'), file, folders) };
}

/** `train/filenames.pickle`: a list of keys (str), each checked by checkKey. */
export function parseFilenames(value: PickleValue, file: string, folders = 'the dataset folder'): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new AttncError('ATTNC_DATA_PICKLE', `${file}: expected a list of file keys (strings)`, { path: file });
  }
  // A plain loop: nothing is allocated per key unless one is refused (lists of millions of keys).
  for (let i = 0; i < value.length; i++) {
    const why = keyProblem(value[i], folders);
    if (why !== undefined) throw keyError(value[i], { file, entry: `item ${i}` }, why);
  }
  return value as string[];
}

/** `train/class_info.pickle`: a list of class ids (int), one per key. */
export function parseClassInfo(value: PickleValue, file: string, n: number): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw new AttncError('ATTNC_DATA_PICKLE', `${file}: expected a list of integer class ids`, { path: file });
  }
  if (value.length !== n) {
    throw new AttncError('ATTNC_DATA_PICKLE', `${file}: ${value.length} class ids for ${n} file keys`, { path: file });
  }
  return value as number[];
}

export interface CaptionsPickle {
  /** Image i's captions are `train[i * capsPerImage ... + capsPerImage - 1]`, in filenames order. */
  train: number[][];
  test: number[][];
  vocab: Vocabulary;
}

/** AttnGAN `captions.pickle`: `[train_captions, test_captions, ixtoword, wordtoix]`. */
export function parseCaptionsPickle(value: PickleValue, file = 'captions.pickle'): CaptionsPickle {
  const vocab = Vocabulary.fromCaptionsPickle(value, file);
  const [train, test] = value as PickleValue[];
  const caps = (v: PickleValue | undefined, name: string): number[][] => {
    if (!Array.isArray(v)) throw new AttncError('ATTNC_DATA_PICKLE', `${file}: ${name} is not a list`, { path: file });
    v.forEach((c, i) => {
      if (!Array.isArray(c) || !c.every((id) => typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < vocab.size)) {
        throw new AttncError('ATTNC_DATA_PICKLE', `${file}: ${name}[${i}] is not a list of word ids in 0..${vocab.size - 1}`, { path: file });
      }
    });
    return v as number[][];
  };
  return { train: caps(train, 'train captions'), test: caps(test, 'test captions'), vocab };
}

/**
 * The bytes of an AttnGAN-compatible `captions.pickle` (protocol 2; `ixtoword` has int keys,
 * `wordtoix` str keys), readable by the original Python 2 code and by `pickle.load` in Python 3.
 */
export function writeCaptionsPickle(p: CaptionsPickle): Uint8Array {
  const ixtoword = new Map<number, string>(p.vocab.ixToWord.map((w, i) => [i, w]));
  const wordtoix: { [k: string]: number } = {};
  p.vocab.ixToWord.forEach((w, i) => {
    if (w === '__proto__') Object.defineProperty(wordtoix, w, { value: i, enumerable: true });
    else wordtoix[w] = i;
  });
  return writePickle([p.train, p.test, ixtoword, wordtoix]);
}

export function writeFilenamesPickle(keys: readonly string[]): Uint8Array {
  return writePickle([...keys]);
}

export function writeClassInfoPickle(classIds: readonly number[]): Uint8Array {
  return writePickle([...classIds]);
}
