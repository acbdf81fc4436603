import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../runtime/util/rng.js';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { makeImages, tmpDir, writeCocoFixture } from './make-fixtures.js';

const cfg = (root: string, over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
  kind: 'coco',
  root,
  split: 'train',
  capsPerImage: 5,
  wordsNum: 12,
  imageSizes: [8, 16, 32],
  augment: true,
  onBadFile: 'error',
  seed: 3,
  ...over,
});

describe('COCO layout', () => {
  let root: string;
  const train = makeImages(5, 6, { prefix: 'COCO_train2014_00000000000' });
  const test = makeImages(2, 5, { prefix: 'COCO_val2014_00000000000' });
  beforeAll(async () => {
    root = await tmpDir('coco');
    await writeCocoFixture(root, { train, test, capsPerImage: 5, captionsPickle: true });
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it('uses the captions.pickle written by our writer; class id = index; 3-level pyramid', async () => {
    const ds = await openDataset(cfg(root));
    expect(ds.vocabSource).toBe('captions.pickle');
    expect(ds.size).toBe(5);
    const s = await ds.getSample(3, Rng.stream(1));
    expect(s.classId).toBe(3);
    expect(s.captions).toHaveLength(5);
    expect([s.image.width, s.image.height]).toEqual([32, 32]);
    for await (const b of ds.batches({ batchSize: 2, shuffle: false })) {
      expect(b.images.map((t) => t.shape[1])).toEqual([8, 16, 32]);
      expect([...b.classIds].sort()).toEqual(b.keys.map((k) => ds.keys.indexOf(k)).sort());
      expect(b.captionIndex.every((c) => c >= 0 && c < 5)).toBe(true);
      disposeBatch(b);
    }
  });

  it('reads the same captions from text/ when there is no captions.pickle', async () => {
    const withPickle = await openDataset(cfg(root));
    const r2 = await tmpDir('coco-text');
    await fs.cp(root, r2, { recursive: true });
    await fs.rm(path.join(r2, 'captions.pickle'));
    const fromText = await openDataset(cfg(r2));
    expect(fromText.vocabSource).toBe('built');
    // the writer's pickle uses a sorted vocabulary too, so the ids agree
    expect(fromText.vocab.ixToWord).toEqual(withPickle.vocab.ixToWord);
    for (let i = 0; i < 5; i++) {
      expect((await fromText.getSample(i, Rng.stream(0))).captions).toEqual((await withPickle.getSample(i, Rng.stream(0))).captions);
    }
    await fs.rm(r2, { recursive: true, force: true });
  });
});
