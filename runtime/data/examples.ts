import * as path from 'node:path';
import { AttncError } from '../util/errors.js';
import { readFileOrFail } from './metadata.js';
import { tokenize } from './tokenizer.js';
import type { Vocabulary } from './vocab.js';

/** One caption file of `gen_example`, encoded as the original does (main.py:36-83, reference §9.1). */
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
}

/**
 * Encode a caption file for sampling: one caption a line, empty and word-less lines skipped, same
 * tokenisation as training, unknown words dropped, rows sorted by length descending (ties keep file
 * order; the original's `np.argsort` did not promise any tie order).
 */
export function encodeExampleCaptions(text: string, vocab: Vocabulary, file: string, key = path.basename(file).replace(/\.txt$/, '')): ExampleCaptions {
  const kept: { text: string; ids: number[]; unknown: string[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const tokens = tokenize(line);
    if (tokens.length === 0) continue;
    const { ids, unknown } = vocab.encode(tokens);
    kept.push({ text: line.replace(/\r$/, ''), ids, unknown });
  }
  if (kept.length === 0) {
    throw new AttncError('ATTNC_DATA_CAPTIONS', `${file}: no captions (one per line expected)`, { path: file });
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
  };
}

/**
 * `<root>/example_filenames.txt` lists caption files relative to `root` without `.txt`; each becomes
 * one batch of `gen_example`.
 */
export async function readExampleCaptions(root: string, vocab: Vocabulary): Promise<ExampleCaptions[]> {
  const list = path.join(root, 'example_filenames.txt');
  const names = new TextDecoder()
    .decode(await readFileOrFail(list, 'ATTNC_DATA_MISSING', 'example list', 'list caption files (relative to the dataset folder, without .txt), one per line'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const out: ExampleCaptions[] = [];
  for (const name of names) {
    const file = path.join(root, `${name}.txt`);
    const bytes = await readFileOrFail(file, 'ATTNC_DATA_CAPTIONS', 'caption file', `listed in ${list}`);
    out.push(encodeExampleCaptions(new TextDecoder().decode(bytes), vocab, file, name.slice(name.lastIndexOf('/') + 1)));
  }
  return out;
}
