import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeExampleCaptions, readExampleCaptions } from '../../../runtime/data/examples.js';
import { Vocabulary } from '../../../runtime/data/vocab.js';
import { tmpDir, writeFile } from './make-fixtures.js';

const vocab = Vocabulary.build([['a', 'red', 'bird', 'with', 'black', 'wings', 'small']]);

describe('gen_example captions', () => {
  it('drops unknown words, sorts by length descending, pads to the longest (no WORDS_NUM cut)', () => {
    const e = encodeExampleCaptions('a red bird\n\n!!!\na small red bird with black wings and a zebra\nbird\n', vocab, 'ex/robins.txt');
    expect(e.key).toBe('robins');
    expect(e.lengths).toEqual([8, 3, 1]);
    expect(e.order).toEqual([1, 0, 2]);
    expect(e.unknown).toEqual([['and', 'zebra'], [], []]);
    expect(e.ids.map((r) => r.length)).toEqual([8, 8, 8]);
    expect(vocab.decode(e.ids[1]!)).toEqual(['a', 'red', 'bird']);
    expect(e.texts[2]).toBe('bird');
  });

  it('reads example_filenames.txt and names missing or empty files', async () => {
    const root = await tmpDir('examples');
    await writeFile(path.join(root, 'example_filenames.txt'), 'example_captions\nmore/two\n');
    await writeFile(path.join(root, 'example_captions.txt'), 'a red bird\n');
    await writeFile(path.join(root, 'more', 'two.txt'), 'black wings\n');
    const all = await readExampleCaptions(root, vocab);
    expect(all.map((e) => e.key)).toEqual(['example_captions', 'two']);
    await writeFile(path.join(root, 'more', 'two.txt'), '\n');
    await expect(readExampleCaptions(root, vocab)).rejects.toThrow(`${path.join(root, 'more', 'two.txt')}: no captions`);
    await fs.rm(path.join(root, 'more', 'two.txt'));
    await expect(readExampleCaptions(root, vocab)).rejects.toThrow(`${path.join(root, 'more', 'two.txt')}: caption file not found`);
    await fs.rm(root, { recursive: true, force: true });
  });
});
