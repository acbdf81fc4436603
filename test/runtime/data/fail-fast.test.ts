// A CUB list of 200,000 keys (the bench times 10 million) naming one missing caption file (no class_info.pickle, no captions)
// fails on that file, naming it, and stops there (issue 20, item 15): before, every key went through
// an allocating check and the caption stat-ing went on over the whole list after the error.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../../runtime/data/dataset.js';
import { checkKey } from '../../../runtime/data/dataset-keys.js';
import { mapLimit } from '../../../runtime/data/layout.js';
import { writePickle } from '../../../runtime/io/pickle.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { tmpDir } from './make-fixtures.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));

describe('failing fast on a long list', () => {
  it('mapLimit starts no further call after the first failure', async () => {
    let calls = 0;
    const done = mapLimit(Array.from({ length: 10_000 }, (_, i) => i), 8, async (i) => {
      calls++;
      await new Promise((r) => setImmediate(r));
      if (i === 3) throw new Error('missing');
      return i;
    });
    await expect(done).rejects.toThrow('missing');
    for (let k = 0; k < 20; k++) await new Promise((r) => setImmediate(r));
    expect(calls).toBeLessThanOrEqual(8 + 4);
  });

  it('checkKey formats the origin of a key only when the key is refused', () => {
    const never = () => { throw new Error('origin formatted for a good key'); };
    for (const k of ['001.Black_footed_Albatross/Black_Footed_Albatross_0046_18', 'a/.hidden/b', 'a..b/c', 'x/...'] as const) {
      expect(checkKey(k, never, 'text/')).toBe(k);
    }
    expect(() => checkKey('a/../../b', () => ({ file: 'f.pickle', entry: 'item 9' }), 'text/')).toThrow('f.pickle: item 9: key "a/../../b" leaves text/');
    expect(() => checkKey('a/..', () => ({ file: 'f.pickle', entry: 'item 1' }), 'text/')).toThrow(/leaves text\//);
  });

  it('a 200,000-entry filenames.pickle whose caption file is missing: the error names it', async () => {
    const root = await tmpDir('fail-fast');
    dirs.push(root);
    await fs.mkdir(path.join(root, 'train'), { recursive: true });
    const key = '001.Black_footed_Albatross/Black_Footed_Albatross_0001';
    await fs.writeFile(path.join(root, 'train', 'filenames.pickle'), writePickle(new Array<string>(200_000).fill(key)));
    const e = await openDataset({ kind: 'cub', root, split: 'train', capsPerImage: 10, wordsNum: 18, imageSizes: [64], augment: false, onBadFile: 'error', seed: 0 }).then(
      () => { throw new Error('expected a refusal'); },
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AttncError);
    expect((e as AttncError).message).toBe(`${path.join(root, 'text', `${key}.txt`)}: caption file not found`);
  }, 60_000);
});
