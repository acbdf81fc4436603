import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, dropWords, openDataset } from '../../../runtime/data/dataset.js';
import type { FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { Rng } from '../../../runtime/util/rng.js';
import { makeImages, tmpDir, writeCocoFixture } from './make-fixtures.js';

describe('dropWords (random word drop beyond WORDS_NUM)', () => {
  it('keeps short captions, keeps a random order-preserving subset of long ones', () => {
    expect(dropWords([5, 6, 7], 4, Rng.stream(1))).toEqual([5, 6, 7]);
    const ids = Array.from({ length: 30 }, (_, i) => 100 + i);
    const kept = new Set<string>();
    for (let s = 0; s < 50; s++) {
      const out = dropWords(ids, 18, Rng.stream(s));
      expect(out).toHaveLength(18);
      expect([...out].sort((a, b) => a - b)).toEqual(out); // original order
      expect(new Set(out).size).toBe(18);
      kept.add(out.join(','));
    }
    expect(kept.size).toBeGreaterThan(40); // actually random
    expect(dropWords(ids, 18, Rng.stream(3))).toEqual(dropWords(ids, 18, Rng.stream(3)));
  });
});

describe('batches', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmpDir('batches');
    await writeCocoFixture(root, { train: makeImages(10, 5, { longEvery: 2 }), test: [], capsPerImage: 5 });
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));
  const cfg = (over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
    kind: 'coco', root, split: 'train', capsPerImage: 5, wordsNum: 8, imageSizes: [8, 16], augment: true, onBadFile: 'error', seed: 4, ...over,
  });

  it('same result with and without prefetch; lengths sorted descending; capped at wordsNum', async () => {
    const ds = await openDataset(cfg());
    const run = async (prefetch: number, workers = 0) => {
      const out: { keys: string[]; lengths: number[]; caps: number[][]; img: number[] }[] = [];
      for await (const b of ds.batches({ batchSize: 4, seed: 11, prefetch, workers })) {
        out.push({ keys: b.keys, lengths: b.lengths, caps: b.captions.arraySync(), img: Array.from(b.images[0]!.dataSync().slice(0, 50)) });
        disposeBatch(b);
      }
      return out;
    };
    const a = await run(0);
    const b = await run(4);
    expect(b).toEqual(a);
    const c = await run(2, 1); // decoded in a worker thread
    expect(c).toEqual(a);
    await ds.close();
    expect(a).toHaveLength(2);
    for (const x of a) {
      expect([...x.lengths].sort((p, q) => q - p)).toEqual(x.lengths);
      expect(Math.max(...x.lengths)).toBeLessThanOrEqual(8);
      x.caps.forEach((row, r) => {
        expect(row.slice(0, x.lengths[r]).every((v) => v > 0)).toBe(true);
        expect(row.slice(x.lengths[r]).every((v) => v === 0)).toBe(true);
      });
    }
    // the long captions (≥ 23 words) were cut to exactly 8
    expect(a.flatMap((x) => x.lengths)).toContain(8);
  });

  it('leaves no tensors behind when the consumer stops early', async () => {
    const ds = await openDataset(cfg());
    const before = tf.memory().numTensors;
    for await (const b of ds.batches({ batchSize: 2, prefetch: 3 })) {
      disposeBatch(b);
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch size', async () => {
    const ds = await openDataset(cfg());
    expect(() => ds.batches({ batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
