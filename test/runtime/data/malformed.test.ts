import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../runtime/util/rng.js';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { Batch, FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { FIXTURES, makeImages, tmpDir, writeCubFixture, writeFile } from './make-fixtures.js';

const cfg = (root: string, over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
  kind: 'cub',
  root,
  split: 'train',
  capsPerImage: 4,
  wordsNum: 10,
  imageSizes: [16],
  augment: true,
  onBadFile: 'error',
  seed: 2,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<AttncError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AttncError);
    return e as AttncError;
  }
  throw new Error('expected an AttncError');
}

async function drain(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

let base: string;
let root: string;
const imgs = makeImages(6, 4, { prefix: '001.X/x_' });
const img = (k: number) => path.join(root, 'CUB_200_2011', 'images', `${imgs[k]!.key}.jpg`);
const txt = (k: number) => path.join(root, 'text', `${imgs[k]!.key}.txt`);

beforeAll(async () => {
  base = await tmpDir('bad-base');
  await writeCubFixture(base, { train: imgs, test: makeImages(1, 4, { prefix: '002.Y/y_' }), capsPerImage: 4 });
});
beforeEach(async () => {
  root = await tmpDir('bad');
  await fs.cp(base, root, { recursive: true });
});
// Each test's copy goes with it (they were left in the system's temp folder, 20 a run).
afterEach(async () => fs.rm(root, { recursive: true, force: true }));
afterAll(async () => fs.rm(base, { recursive: true, force: true }));

describe('malformed inputs give clear errors naming the file', () => {
  it('missing dataset folder', async () => {
    const e = await rejection(openDataset(cfg(path.join(root, 'nope'))));
    expect(e.message).toBe(`${path.join(root, 'nope')}: dataset folder not found`);
  });

  it('bad pickle (garbage bytes)', async () => {
    const file = path.join(root, 'train', 'filenames.pickle');
    await writeFile(file, 'this is not a pickle\n');
    const e = await rejection(openDataset(cfg(root)));
    expect(e.code).toBe('ATTNC_DATA_PICKLE');
    expect(e.message).toBe(`${file}: malformed pickle: TUPLE (0x74 't') without MARK at byte 0`);
    expect(e.hint).toMatch(/does not start with a pickle protocol header/);
  });

  it('unknown pickle opcode', async () => {
    const file = path.join(root, 'train', 'class_info.pickle');
    await fs.copyFile(path.join(FIXTURES, 'pickles', 'unknown_opcode.pickle'), file);
    const e = await rejection(openDataset(cfg(root)));
    expect(e.message).toBe(`${file}: unsupported pickle opcode unknown opcode 0xff at byte 8`);
  });

  it('a captions.pickle that would run code', async () => {
    const file = path.join(root, 'captions.pickle');
    await fs.copyFile(path.join(FIXTURES, 'pickles', 'evil_global_reduce_p2.pickle'), file);
    const e = await rejection(openDataset(cfg(root)));
    expect(e.message).toMatch(/captions\.pickle: refusing pickle opcode GLOBAL \(0x63 'c'\) at byte \d+$/);
    expect(e.hint).toMatch(/can run code/);
  });

  it('missing text file: error, or skipped and counted', async () => {
    await fs.rm(txt(2));
    const e = await rejection(openDataset(cfg(root)));
    expect(e.code).toBe('ATTNC_DATA_CAPTIONS');
    expect(e.message).toBe(`${txt(2)}: caption file not found`);
    const ds = await openDataset(cfg(root, { onBadFile: 'skip' }));
    expect(ds.size).toBe(5);
    expect(ds.skipped).toBe(1);
    expect(ds.skippedFiles[0]!.path).toBe(txt(2));
    expect(ds.keys).not.toContain(imgs[2]!.key);
  });

  it('empty caption file and a file with too few captions', async () => {
    await writeFile(txt(1), '\n\n');
    expect((await rejection(openDataset(cfg(root)))).message).toBe(`${txt(1)}: caption file is empty (expected 4 captions, one per line)`);
    await writeFile(txt(1), 'one caption\nand another\n');
    expect((await rejection(openDataset(cfg(root)))).message).toBe(`${txt(1)}: only 2 caption(s), expected 4 (one per line)`);
  });

  it('missing image: error at open, or skipped', async () => {
    await fs.rm(img(4));
    const e = await rejection(openDataset(cfg(root)));
    expect(e.message).toBe(`${img(4)}: image not found`);
    expect((await openDataset(cfg(root, { onBadFile: 'skip' }))).skipped).toBe(1);
  });

  it('truncated JPEG: the batch fails naming the file; with skip it is replaced and counted', async () => {
    const bytes = await fs.readFile(img(3));
    await fs.writeFile(img(3), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const ds = await openDataset(cfg(root));
    const e = await rejection(drain(ds.batches({ batchSize: 6, shuffle: false })));
    expect(e.code).toBe('ATTNC_DATA_IMAGE');
    expect(e.message).toBe(`${img(3)}: JPEG is truncated (no end-of-image marker)`);

    const before = tf.memory().numTensors;
    const skip = await openDataset(cfg(root, { onBadFile: 'skip' }));
    const batches = await drain(skip.batches({ batchSize: 3, shuffle: false }));
    expect(batches.map((b) => b.keys.length)).toEqual([3, 3]);
    expect(batches.flatMap((b) => b.keys)).not.toContain(imgs[3]!.key);
    expect(skip.skipped).toBe(1);
    expect(skip.skippedFiles[0]).toMatchObject({ path: img(3), code: 'ATTNC_DATA_IMAGE' });
    batches.forEach(disposeBatch);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a zero-byte or non-image file is not turned into a blank image', async () => {
    await fs.writeFile(img(0), '');
    await fs.writeFile(img(1), 'hello');
    const ds = await openDataset(cfg(root));
    expect((await rejection(ds.getSample(0, Rng.stream(0)))).message).toBe(`${img(0)}: image file is empty`);
    expect((await rejection(ds.getSample(1, Rng.stream(0)))).message).toMatch(/not a JPEG or PNG image/);
  });

  it('a malformed bounding_boxes.txt line names file and line', async () => {
    const file = path.join(root, 'CUB_200_2011', 'bounding_boxes.txt');
    await fs.appendFile(file, '8 1 2 three 4\n');
    expect((await rejection(openDataset(cfg(root)))).message).toBe(`${file}:8: expected "<id> <x> <y> <width> <height>" with positive size`);
  });

  it('bad config values', async () => {
    expect((await rejection(openDataset(cfg(root, { imageSizes: [64, 32] })))).message).toMatch(/imageSizes must be ascending/);
    expect((await rejection(openDataset({ ...cfg(root), kind: 'flickr' as never }))).message).toMatch(/unknown dataset kind "flickr"/);
  });
});
