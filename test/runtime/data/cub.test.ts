import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { Batch, FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { bboxCropBox, encodeJpeg, encodePng } from '../../../runtime/data/images.js';
import { readCubBboxes } from '../../../runtime/data/cub.js';
import { Rng } from '../../../runtime/util/rng.js';
import { FIXTURES, gradientImage, makeImages, tmpDir, writeCubFixture, writeFile } from './make-fixtures.js';

const cfg = (root: string, over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
  kind: 'cub',
  root,
  split: 'train',
  capsPerImage: 10,
  wordsNum: 18,
  imageSizes: [16, 32],
  augment: true,
  onBadFile: 'error',
  seed: 1,
  ...over,
});

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('CUB layout with the Python-written pickles (cub-py)', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmpDir('cub-py');
    await fs.cp(path.join(FIXTURES, 'cub-py'), root, { recursive: true });
    const sizes = JSON.parse(await fs.readFile(path.join(root, 'image_sizes.json'), 'utf8')) as Record<string, [number, number]>;
    let i = 0;
    for (const [key, [w, h]] of Object.entries(sizes)) {
      const img = gradientImage(w, h, 30 * ++i);
      // one PNG stored under .jpg: the decoder goes by content
      await writeFile(path.join(root, 'CUB_200_2011', 'images', `${key}.jpg`), i === 2 ? encodePng(img) : encodeJpeg(img, 95));
    }
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it('opens train and test with the pickle vocabulary, class ids and keys', async () => {
    const before = tf.memory().numTensors;
    const train = await openDataset(cfg(root));
    expect(train.size).toBe(3);
    expect(train.vocabSource).toBe('captions.pickle');
    expect(train.vocab.ixToWord.slice(0, 3)).toEqual(['<end>', 'a', 'bird']);
    expect(train.keys[2]).toBe('002.Laysan_Albatross/Laysan_Albatross_0002_1027');
    const test = await openDataset(cfg(root, { split: 'test' }));
    expect(test.size).toBe(2);
    const batches = await collect(train.batches({ batchSize: 3, shuffle: false }));
    expect(batches).toHaveLength(1);
    const b = batches[0]!;
    expect(b.images.map((t) => t.shape)).toEqual([[3, 16, 16, 3], [3, 32, 32, 3]]);
    expect(b.captions.dtype).toBe('int32');
    expect(b.captions.shape).toEqual([3, Math.max(...b.lengths)]);
    expect([...b.classIds].sort()).toEqual([1, 1, 2]);
    expect(new Set(b.keys)).toEqual(new Set(train.keys));
    for (const t of b.images) {
      const [lo, hi] = tf.tidy(() => [t.min().dataSync()[0]!, t.max().dataSync()[0]!]);
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi - lo).toBeGreaterThan(1); // real pixels, not a blank image
    }
    // lengths descending, ids match the pickle captions after padding
    expect([...b.lengths].sort((x, y) => y - x)).toEqual(b.lengths);
    const ids = b.captions.arraySync();
    b.keys.forEach((key, r) => {
      const i = train.keys.indexOf(key);
      const row = ids[r]!;
      expect(row.slice(b.lengths[r]).every((v) => v === 0)).toBe(true);
      const original = (train as unknown as { entries: { captions: number[][] }[] }).entries[i]!.captions[b.captionIndex[r]!]!;
      if (original.length <= 18) expect(row.slice(0, b.lengths[r])).toEqual(original);
    });
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('crops each image around its bounding box before the transform', async () => {
    const ds = await openDataset(cfg(root, { augment: false, imageSizes: [32] }));
    const boxes = await readCubBboxes(path.join(root, 'CUB_200_2011'));
    const key = '001.Black_footed_Albatross/Black_Footed_Albatross_0001_796111'; // 60×40, box (10,8,30,20)
    const i = ds.keys.indexOf(key);
    const s = await ds.getSample(i, Rng.stream(0));
    const [x1, y1, x2, y2] = bboxCropBox(boxes.get(key)!, 60, 40);
    expect([x1, y1, x2, y2]).toEqual([3, 0, 47, 40]);
    // crop 44×40 → shorter side 38 (= int(32·76/64)): 41×38, centre crop 32
    expect(s.transform).toEqual({ resizedWidth: 41, resizedHeight: 38, cropX: 5, cropY: 3, flipped: false });
    // red at the left edge of the 32-crop ≈ red of source column x1 + 5·44/41 ≈ 8.4 → 8.4·255/59 ≈ 36
    expect(Math.abs(s.image.data[(16 * 32 + 0) * 3]! - (x1 + (5.5 * 44) / 41) * (255 / 59))).toBeLessThan(8);
  });

  it('opens an extra split (heldout/) with the pickle vocabulary and text/ captions', async () => {
    const test = await openDataset(cfg(root, { split: 'test' }));
    await fs.mkdir(path.join(root, 'heldout'), { recursive: true });
    await fs.copyFile(path.join(root, 'test', 'filenames.pickle'), path.join(root, 'heldout', 'filenames.pickle'));
    const held = await openDataset(cfg(root, { split: 'heldout' }));
    expect(held.vocabSource).toBe('captions.pickle');
    expect(held.keys).toEqual(test.keys);
    expect((await held.getSample(1, Rng.stream(0))).captions).toEqual((await test.getSample(1, Rng.stream(0))).captions);
    expect(held.warnings).toEqual([]);
    await expect(openDataset(cfg(root, { split: '../x' }))).rejects.toThrow(/split must be a folder name/);
  });

  it('refuses a captions.pickle whose caption count does not match capsPerImage', async () => {
    await expect(openDataset(cfg(root, { capsPerImage: 5 }))).rejects.toThrow(/captions\.pickle: holds 30 train captions, but .* 3 images × 5/);
  });
});

describe('CUB layout written with our pickle writer', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmpDir('cub-ts');
    await writeCubFixture(root, { train: makeImages(7, 10, { prefix: '001.A/a_', longEvery: 3 }), test: makeImages(2, 10, { prefix: '002.B/b_' }), capsPerImage: 10 });
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it('builds a sorted vocabulary from train+test text, saves vocab.json, reuses it', async () => {
    const ds = await openDataset(cfg(root));
    expect(ds.vocabSource).toBe('built');
    const saved = JSON.parse(await fs.readFile(path.join(root, 'vocab.json'), 'utf8'));
    expect(saved.words).toEqual(ds.vocab.ixToWord);
    expect(saved.words.slice(1)).toEqual([...saved.words.slice(1)].sort());
    const again = await openDataset(cfg(root, { split: 'test' }));
    expect(again.vocabSource).toBe('vocab.json');
    expect(again.vocab.ixToWord).toEqual(ds.vocab.ixToWord);
  });

  it('batches: dropLast, shapes, word drop to wordsNum, reproducible with a seed', async () => {
    const ds = await openDataset(cfg(root, { wordsNum: 6 }));
    const a = await collect(ds.batches({ batchSize: 3, seed: 5 }));
    expect(a).toHaveLength(2); // 7 images, dropLast
    const all = await collect(ds.batches({ batchSize: 3, seed: 5, dropLast: false, prefetch: 0 }));
    expect(all.map((b) => b.keys.length)).toEqual([3, 3, 1]);
    for (const b of a) {
      expect(Math.max(...b.lengths)).toBeLessThanOrEqual(6);
      expect(b.captions.shape[1]).toBe(Math.max(...b.lengths));
    }
    expect(a[0]!.keys).toEqual(all[0]!.keys);
    expect(a[0]!.captions.arraySync()).toEqual(all[0]!.captions.arraySync());
    expect(a[0]!.images[1]!.arraySync()).toEqual(all[0]!.images[1]!.arraySync());
    const other = await collect(ds.batches({ batchSize: 3, seed: 6 }));
    expect(other.map((b) => b.keys)).not.toEqual(a.map((b) => b.keys));
    [...a, ...all, ...other].forEach(disposeBatch);
  });

  it('reports a missing bounding_boxes.txt', async () => {
    const r2 = await tmpDir('cub-nobox');
    await fs.cp(root, r2, { recursive: true });
    await fs.rm(path.join(r2, 'CUB_200_2011', 'bounding_boxes.txt'));
    await expect(openDataset(cfg(r2))).rejects.toThrow(/bounding_boxes\.txt: not found/);
    await fs.rm(r2, { recursive: true, force: true });
  });
});
