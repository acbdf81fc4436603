import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { makeImages, tmpDir, writeCustomFixture, writeFile } from './make-fixtures.js';

const cfg = (root: string, over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
  kind: 'custom',
  root,
  split: 'train',
  capsPerImage: 3,
  wordsNum: 10,
  imageSizes: [16, 32],
  augment: true,
  onBadFile: 'error',
  seed: 9,
  ...over,
});

describe('custom layout (images/ + text/ + train.txt/test.txt)', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmpDir('custom');
    const train = makeImages(4, 3, { prefix: 'photos/p' }).map((im, i) => ({ ...im, format: i % 2 ? ('png' as const) : ('jpeg' as const), classId: 10 + i }));
    await writeCustomFixture(root, { train, test: makeImages(1, 3, { prefix: 't' }), withClasses: true });
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it('finds .jpg and .png images, reads class ids from the split list', async () => {
    const ds = await openDataset(cfg(root));
    expect(ds.size).toBe(4);
    expect(ds.keys).toEqual(['photos/p000', 'photos/p001', 'photos/p002', 'photos/p003']);
    const b = (await (async () => { for await (const x of ds.batches({ batchSize: 4, shuffle: false })) return x; })())!;
    expect([...b.classIds].sort()).toEqual([10, 11, 12, 13]);
    expect(b.images[1]!.shape).toEqual([4, 32, 32, 3]);
    disposeBatch(b);
    expect(ds.vocabSource).toBe('built');
  });

  it('class ids default to the index; mixed lines are an error', async () => {
    await writeFile(path.join(root, 'test.txt'), '\uFEFF# written on Windows\r\nt000.JPG\r\n');
    expect((await openDataset(cfg(root, { split: 'test' }))).keys).toEqual(['t000']);
    await writeFile(path.join(root, 'test.txt'), 't000 1\nt000\n');
    await expect(openDataset(cfg(root, { split: 'test' }))).rejects.toThrow(/test\.txt: 1 of 2 lines have a class id/);
    await writeFile(path.join(root, 'test.txt'), 't000\n');
  });

  it('listClassIds: true requires an id on every line; false ignores them', async () => {
    await expect(openDataset(cfg(root, { split: 'test', listClassIds: true }))).rejects.toThrow(/test\.txt: 1 of 1 lines have no class id, and class ids are required/);
    const ds = await openDataset(cfg(root, { listClassIds: false }));
    const b = (await (async () => { for await (const x of ds.batches({ batchSize: 4, shuffle: false })) return x; })())!;
    expect([...b.classIds].sort()).toEqual([0, 1, 2, 3]);
    disposeBatch(b);
    const withIds = await openDataset(cfg(root, { listClassIds: true }));
    const c = (await (async () => { for await (const x of withIds.batches({ batchSize: 4, shuffle: false })) return x; })())!;
    expect([...c.classIds].sort()).toEqual([10, 11, 12, 13]);
    disposeBatch(c);
  });

  it('a missing split list names the file', async () => {
    await expect(openDataset(cfg(path.join(root, 'images')))).rejects.toThrow(/images\/train\.txt: split list not found/);
  });
});
