import * as path from 'node:path';
import { AttncError } from '../util/errors.js';
import { checkKey, DatasetFiles } from './dataset-keys.js';
import { listLines, readTextFile } from '../io/read-file.js';
import { tokenize } from './tokenizer.js';
import type { Vocabulary } from './vocab.js';

/** One caption file of `gen_example`, encoded as the original does (main.py:36-83, docs/original.md §7). */
export interface ExampleCaptions {
  /** File key: the name after the last '/' (outputs go to `<G folder>/<key>/`). */
  key: string;
  file: string;
  /** Caption lines as written, in sorted order (longest first). */
  texts: string[];
  /** Word ids, 0-padded to the longest caption of the file; no WORDS_NUM cut. */
  ids: number[][];
  lengths: number[];
  /** `order[r]` = line index (among kept captions) of row r, like the original's `sorted_indices`. */
  order: number[];
  /** Out-of-vocabulary words dropped per row. */
  unknown: string[][];
  /** Lines with words, none of them in the vocabulary: left out (a zero-length row would reach the generator). */
  skipped: { line: number; text: string; unknown: string[] }[];
}

/**
 * Encode a caption file for sampling: one caption a line, empty and word-less lines skipped, same
 * tokenisation as training, unknown words dropped, rows sorted by length descending (ties keep file
 * order; the original's `np.argsort` did not promise any tie order).
 */
export function encodeExampleCaptions(text: string, vocab: Vocabulary, file: string, key = path.basename(file).replace(/\.txt$/, '')): ExampleCaptions {
  const kept: { text: string; ids: number[]; unknown: string[] }[] = [];
  const skipped: ExampleCaptions['skipped'] = [];
  text.split('\n').forEach((line, n) => {
    if (line.length === 0) return;
    const tokens = tokenize(line);
    if (tokens.length === 0) return;
    const { ids, unknown } = vocab.encode(tokens);
    if (ids.length === 0) skipped.push({ line: n + 1, text: line.replace(/\r$/, ''), unknown });
    else kept.push({ text: line.replace(/\r$/, ''), ids, unknown });
  });
  if (kept.length === 0) {
    throw new AttncError(
      'ATTNC_DATA_CAPTIONS',
      skipped.length ? `${file}: no caption has a word in the vocabulary (${skipped.length} line(s), e.g. line ${skipped[0]!.line})` : `${file}: no captions (one per line expected)`,
      { path: file, ...(skipped.length ? { hint: 'write captions with words the text encoder was trained on' } : {}) },
    );
  }
  const order = kept.map((_, i) => i).sort((a, b) => kept[b]!.ids.length - kept[a]!.ids.length || a - b);
  const T = Math.max(1, kept[order[0]!]!.ids.length);
  return {
    key,
    file,
    texts: order.map((i) => kept[i]!.text),
    ids: order.map((i) => [...kept[i]!.ids, ...new Array<number>(T - kept[i]!.ids.length).fill(0)]),
    lengths: order.map((i) => kept[i]!.ids.length),
    order,
    unknown: order.map((i) => kept[i]!.unknown),
    skipped,
  };
}

/**
 * `<root>/example_filenames.txt` lists caption files relative to `root` without `.txt`; each becomes
 * one batch of `gen_example`. Names are keys (checkKey: they must stay inside `root`, and with
 * `followSymlinks` false the file must not be a link out of it); every file is read under the shared
 * text rule (strict UTF-8, size bound), like the training captions.
 */
export async function readExampleCaptions(root: string, vocab: Vocabulary, opts: { followSymlinks?: boolean } = {}): Promise<ExampleCaptions[]> {
  const list = path.join(root, 'example_filenames.txt');
  const lines = listLines(
    await readTextFile(list, {
      code: 'ATTNC_DATA_MISSING',
      what: 'example list',
      hint: 'list caption files (relative to the dataset folder, without .txt), one per line',
    }),
  );
  const files = new DatasetFiles(root, opts.followSymlinks ?? false);
  const out: ExampleCaptions[] = [];
  for (const { line, text: name } of lines) {
    checkKey(name, { file: list, entry: `line ${line}` }, 'the dataset folder');
    const file = path.join(root, `${name}.txt`);
    const from = `listed as ${JSON.stringify(name)} in ${list}`;
    if (!(await files.exists(file, root, from))) {
      throw new AttncError('ATTNC_DATA_CAPTIONS', `${file}: caption file not found`, { path: file, hint: `listed in ${list}` });
    }
    const text = await readTextFile(file, { code: 'ATTNC_DATA_CAPTIONS', what: 'caption file', hint: `listed in ${list}` });
    out.push(encodeExampleCaptions(text, vocab, file, name.slice(name.lastIndexOf('/') + 1)));
  }
  return out;
}
