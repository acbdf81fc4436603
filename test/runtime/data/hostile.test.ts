import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { Batch, FolderDatasetConfig } from '../../../runtime/data/dataset.js';
import { splitClassId } from '../../../runtime/data/custom.js';
import { DecodePool } from '../../../runtime/data/decode-pool.js';
import { readExampleCaptions } from '../../../runtime/data/examples.js';
import { decodeImage, encodePng } from '../../../runtime/data/images.js';
import { writeCaptionsPickle, writeFilenamesPickle } from '../../../runtime/data/metadata.js';
import { Vocabulary } from '../../../runtime/data/vocab.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { Rng } from '../../../runtime/util/rng.js';
import { jpegDeclaring, jpegSegments, jpegTruncatedScan, jpegWithoutScan, pngDeclaring, smallJpeg } from './hostile-files.js';
import { gradientImage, makeImages, tmpDir, writeCocoFixture, writeCubFixture, writeCustomFixture, writeFile } from './make-fixtures.js';

// One test per failure of issue 14 (hostile dataset files), each reproducing it.

const cub = (root: string, over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({
  kind: 'cub',
  root,
  split: 'train',
  capsPerImage: 3,
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
    if (!(e instanceof AttncError)) throw e;
    return e;
  }
  throw new Error('expected an AttncError');
}

function caught(f: () => unknown): AttncError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof AttncError)) throw e;
    return e;
  }
  throw new Error('expected an AttncError');
}

async function drain(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const imgs = makeImages(4, 3, { prefix: '001.X/x_' });
let base: string; // holds a pristine CUB folder
let work: string; // per test: <work>/ds is the dataset, <work>/bait lies outside it
let root: string;
const bait = () => path.join(work, 'bait');

beforeAll(async () => {
  base = await tmpDir('hostile-base');
  await writeCubFixture(base, { train: imgs, test: makeImages(1, 3, { prefix: '002.Y/y_' }), capsPerImage: 3 });
});
beforeEach(async () => {
  work = await tmpDir('hostile');
  root = path.join(work, 'ds');
  await fs.cp(base, root, { recursive: true });
  // Bait outside the dataset: a caption and an image that must never be read.
  await writeFile(path.join(bait(), 'x.txt'), 'bait caption one\nbait caption two\nbait caption three\n');
  await writeFile(path.join(bait(), 'x.jpg'), smallJpeg());
});
afterEach(async () => fs.rm(work, { recursive: true, force: true }));
afterAll(async () => fs.rm(base, { recursive: true, force: true }));

describe('keys that escape the dataset folder', () => {
  const listFile = () => path.join(root, 'train', 'filenames.pickle');
  const withKeys = (keys: string[]) => writeFile(listFile(), writeFilenamesPickle(keys));

  it('CUB filenames.pickle: "../" keys, /etc/passwd and NUL tricks are refused, naming the list file and the entry', async () => {
    const good = imgs.map((i) => i.key);
    for (const [bad, why] of [
      ['../../bait/x', /leaves text\/ and CUB_200_2011\/images\//],
      ['../../../etc/passwd', /leaves/],
      ['001.X/\u0000/../../../../bait/x', /control character U\+0000/],
      ['/etc/passwd', /absolute path/],
      ['..\\..\\bait\\x', /backslash/],
      ['001.X/../..', /leaves/],
      ['a/'.repeat(600), /is 1200 characters long \(at most 1024\)/],
    ] as const) {
      await withKeys([...good.slice(0, 2), bad, ...good.slice(2)]);
      const e = await rejection(openDataset(cub(root, { bboxCrop: false })));
      expect(e.code).toBe('ATTNC_DATA_KEY');
      expect(e.message.startsWith(`${listFile()}: item 2: key `)).toBe(true);
      expect(e.message).toMatch(why);
      expect(e.path).toBe(listFile());
      // Not even with onBadFile: skip: the list itself is broken.
      expect((await rejection(openDataset(cub(root, { bboxCrop: false, onBadFile: 'skip' })))).code).toBe('ATTNC_DATA_KEY');
    }
  });

  it('a key that stays inside after normalisation is fine', async () => {
    await withKeys(['001.X/../001.X/x_000', ...imgs.slice(1).map((i) => i.key)]);
    const ds = await openDataset(cub(root, { bboxCrop: false }));
    expect(ds.size).toBe(4);
  });

  it('COCO filenames.pickle and the custom split lists use the same check', async () => {
    const coco = path.join(work, 'coco');
    await writeCocoFixture(coco, { train: makeImages(2, 5, { prefix: 'COCO_' }), test: [], capsPerImage: 5 });
    const list = path.join(coco, 'train', 'filenames.pickle');
    await writeFile(list, writeFilenamesPickle(['COCO_000', '../bait/x']));
    const e = await rejection(openDataset({ ...cub(coco), kind: 'coco', capsPerImage: 5 }));
    expect(e.message).toBe(`${list}: item 1: key "../bait/x" leaves text/ and images/ (it must be a path inside text/ and images/)`);

    const custom = path.join(work, 'custom');
    await writeCustomFixture(custom, { train: makeImages(2, 3), test: [] });
    await writeFile(path.join(custom, 'train.txt'), 'img000\n\n../bait/x\n');
    const c = await rejection(openDataset({ ...cub(custom), kind: 'custom' }));
    expect(c.code).toBe('ATTNC_DATA_KEY');
    expect(c.message).toBe(`${path.join(custom, 'train.txt')}: line 3: key "../bait/x" leaves images/ and text/ (it must be a path inside images/ and text/)`);
  });

  it('a long hostile split-list line is parsed in linear time (the old lazy regex took 2 s for 40,000 spaces, quadratic)', async () => {
    expect(splitClassId('k' + ' '.repeat(1_000_000) + 'x')).toEqual(['k' + ' '.repeat(1_000_000) + 'x', undefined]);
    expect(splitClassId('birds/robin_01 \t 3')).toEqual(['birds/robin_01', 3]);
    const custom = path.join(work, 'custom-long');
    await writeCustomFixture(custom, { train: makeImages(2, 3), test: [] });
    await writeFile(path.join(custom, 'train.txt'), `img000\nimg001${' '.repeat(2_000_000)}x\n`);
    const e = await rejection(openDataset({ ...cub(custom), kind: 'custom' }));
    expect(e.message).toMatch(/train\.txt: line 2: key "img001 {194}…" is 2000007 characters long \(at most 1024\)$/);
  });

  it('example_filenames.txt entries must stay inside the dataset folder too', async () => {
    const vocab = Vocabulary.build([['bait', 'caption', 'one']]);
    const list = path.join(root, 'example_filenames.txt');
    await writeFile(list, 'ok\n../bait/x\n');
    await writeFile(path.join(root, 'ok.txt'), 'caption one\n');
    const e = await rejection(readExampleCaptions(root, vocab));
    expect(e.code).toBe('ATTNC_DATA_KEY');
    expect(e.message).toMatch(new RegExp(`^${list.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 2: key "\\.\\./bait/x" leaves`));
    // A NUL byte (the "NUL then ../" trick) does not get that far: no text file may hold one.
    await writeFile(list, 'ok\nsub\u0000/../../bait/x\n');
    expect((await rejection(readExampleCaptions(root, vocab))).message).toBe(`${list}: example list contains a NUL byte at byte 6`);
  });

  it('a symbolic link out of the dataset folder is refused unless followSymlinks is set', async () => {
    const txt = path.join(root, 'text', `${imgs[1]!.key}.txt`);
    await fs.rm(txt);
    await fs.symlink(path.join(bait(), 'x.txt'), txt);
    const e = await rejection(openDataset(cub(root)));
    expect(e.code).toBe('ATTNC_DATA_KEY');
    expect(e.message).toBe(
      `${txt}: leads outside the dataset folder (to ${await fs.realpath(path.join(bait(), 'x.txt'))}); ` +
        `listed as "${imgs[1]!.key}" in ${path.join(root, 'train', 'filenames.pickle')}`,
    );
    expect(e.hint).toMatch(/followSymlinks: true/);
    const skip = await openDataset(cub(root, { onBadFile: 'skip' }));
    expect([skip.size, skip.skipped, skip.skippedFiles[0]!.code]).toEqual([3, 1, 'ATTNC_DATA_KEY']);
    await fs.rm(path.join(root, 'vocab.json')); // built without the bait's words
    expect((await openDataset(cub(root, { followSymlinks: true }))).size).toBe(4);

    // An image link out, likewise.
    const img = path.join(root, 'CUB_200_2011', 'images', `${imgs[2]!.key}.jpg`);
    await fs.rm(img);
    await fs.symlink(path.join(bait(), 'x.jpg'), img);
    expect((await rejection(openDataset(cub(root, { followSymlinks: false, bboxCrop: false })))).message).toMatch(/leads outside the dataset folder/);
  });

  it('a linked folder (images/ → elsewhere) and links that stay inside the dataset are fine', async () => {
    const images = path.join(root, 'CUB_200_2011', 'images');
    const elsewhere = path.join(work, 'elsewhere-images');
    await fs.rename(images, elsewhere);
    await fs.symlink(elsewhere, images);
    // A caption linked to another file inside the dataset folder.
    const txt = path.join(root, 'text', `${imgs[3]!.key}.txt`);
    await fs.rename(txt, path.join(root, 'moved.txt'));
    await fs.symlink(path.join(root, 'moved.txt'), txt);
    const ds = await openDataset(cub(root));
    expect(ds.size).toBe(4);
    const b = await drain(ds.batches({ batchSize: 4 }));
    b.forEach(disposeBatch);
  });

  it('a caption "file" that is a FIFO or a device is an error, not a hang', async () => {
    const txt = path.join(root, 'text', `${imgs[0]!.key}.txt`);
    await fs.rm(txt);
    execFileSync('mkfifo', [txt]);
    expect((await rejection(openDataset(cub(root)))).message).toBe(`${txt}: caption file is not a regular file (a device, pipe or socket)`);
    await fs.rm(txt);
    await fs.symlink('/dev/zero', txt);
    expect((await rejection(openDataset(cub(root)))).code).toBe('ATTNC_DATA_KEY');
    expect((await rejection(openDataset(cub(root, { followSymlinks: true })))).message).toMatch(/is not a regular file/);
  });
});

describe('decompression bombs', () => {
  const MB = 2 ** 20;

  it('a PNG declaring 16,000 × 16,000 or 100,000 × 100,000 pixels, and a JPEG declaring 65,000 × 65,000, fail from the header', () => {
    const cases = [
      [pngDeclaring(16_000, 16_000), 'bomb16k.png', /^bomb16k\.png: PNG declares 16000 × 16000 pixels, over the limit of 50\.0 megapixels$/],
      [pngDeclaring(100_000, 100_000), 'bomb100k.png', /^bomb100k\.png: PNG declares 100000 × 100000 pixels, over the limit of 16384 pixels per side$/],
      [jpegDeclaring(65_000, 65_000), 'bomb.jpg', /^bomb\.jpg: JPEG declares 65000 × 65000 pixels, over the limit of 16384 pixels per side$/],
      [jpegDeclaring(16_000, 16_000), 'bomb16k.jpg', /^bomb16k\.jpg: JPEG declares 16000 × 16000 pixels, over the limit of 50\.0 megapixels$/],
    ] as const;
    for (const [bytes, name, msg] of cases) {
      expect(bytes.length).toBeLessThan(350_000);
      const before = process.memoryUsage();
      const e = caught(() => decodeImage(bytes, name));
      const after = process.memoryUsage();
      expect(e.code).toBe('ATTNC_DATA_IMAGE');
      expect(e.message).toMatch(msg);
      expect(e.hint).toMatch(/decompression bomb/);
      // Decoding would have allocated ≥ 1 GB (16,000² × 4 bytes of RGBA).
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * MB);
    }
  });

  it('one configurable limit for every format, in the main thread and in decode workers alike', async () => {
    const png = encodePng(gradientImage(40, 30));
    const jpg = smallJpeg();
    expect(decodeImage(png, 'a.png').width).toBe(40);
    const limits = { maxPixels: 50_000_000, maxSide: 32, maxFileBytes: 1 << 20 };
    expect(caught(() => decodeImage(png, 'a.png', limits)).message).toBe('a.png: PNG declares 40 × 30 pixels, over the limit of 32 pixels per side');
    expect(caught(() => decodeImage(jpg, 'a.jpg', { ...limits, maxSide: 100, maxPixels: 1000 })).message).toBe(
      'a.jpg: JPEG declares 40 × 30 pixels, over the limit of 0.0 megapixels',
    );
    expect(caught(() => decodeImage(jpg, 'a.jpg', { ...limits, maxSide: 100, maxFileBytes: 100 })).message).toMatch(/^a\.jpg: image file is \d+ bytes, over the limit of 100$/);

    // Through a dataset: the loader config's imageLimits reach both paths.
    const bomb = path.join(root, 'CUB_200_2011', 'images', `${imgs[1]!.key}.jpg`);
    await fs.writeFile(bomb, pngDeclaring(16_000, 16_000)); // a PNG under a .jpg name: content is sniffed
    const ds = await openDataset(cub(root, { bboxCrop: false }));
    for (const workers of [0, 2]) {
      const e = await rejection(drain(ds.batches({ batchSize: 4, shuffle: false, workers })));
      expect(e.message).toBe(`${bomb}: PNG declares 16000 × 16000 pixels, over the limit of 50.0 megapixels`);
    }
    await ds.close();
    const small = await openDataset(cub(root, { bboxCrop: false, imageLimits: { maxSide: 32 }, onBadFile: 'skip' }));
    const before = tf.memory().numTensors;
    for (const workers of [0, 2]) {
      const e = await rejection(drain(small.batches({ batchSize: 1, workers })));
      expect(e.code).toBe('ATTNC_DATA_EMPTY'); // every image is over 32 px, each one skipped
      expect(small.skippedFiles.every((f) => /over the limit of 32 pixels per side/.test(f.reason))).toBe(true);
    }
    await small.close();
    expect(tf.memory().numTensors).toBe(before);
    expect((await rejection(openDataset(cub(root, { imageLimits: { maxPixels: 0 } })))).message).toMatch(/imageLimits\.maxPixels must be a positive integer/);
  });

  it('a decode worker refuses the bomb itself (the job carries the limits)', async () => {
    const file = path.join(work, 'bomb.png');
    await fs.writeFile(file, pngDeclaring(100_000, 100_000));
    const pool = new DecodePool(1);
    try {
      const job = { imagePath: file, bbox: undefined, imageSizes: [16], augment: false, seed: 1 };
      const e = await rejection(pool.run(job));
      expect(e.message).toBe(`${file}: PNG declares 100000 × 100000 pixels, over the limit of 16384 pixels per side`);
      const e2 = await rejection(pool.run({ ...job, imagePath: path.join(root, 'CUB_200_2011', 'images', `${imgs[0]!.key}.jpg`), limits: { maxPixels: 100, maxSide: 1000, maxFileBytes: 1 << 20 } }));
      expect(e2.message).toMatch(/over the limit of 0\.0 megapixels$/);
    } finally {
      await pool.close();
    }
  });
});

describe('corrupt images are never decoded as grey', () => {
  it('a JPEG with valid headers and no scan data, a scan cut short, a truncated PNG: errors naming the file', () => {
    expect(caught(() => decodeImage(jpegWithoutScan(), 'noscan.jpg')).message).toBe('noscan.jpg: corrupt JPEG (no image data: the file has headers but no scan)');
    expect(caught(() => decodeImage(jpegTruncatedScan(), 'cut.jpg')).message).toMatch(/^cut\.jpg: corrupt JPEG \(/);
    const jpg = smallJpeg();
    const [, sos, len] = jpegSegments(jpg).find(([m]) => m === 0xda)!;
    const emptyScan = Uint8Array.from([...jpg.subarray(0, sos + 2 + len), 0xff, 0xd9]);
    expect(caught(() => decodeImage(emptyScan, 'empty.jpg')).message).toBe(`empty.jpg: corrupt JPEG (scan at byte ${sos} has no image data)`);
    expect(caught(() => decodeImage(smallJpeg().subarray(0, 400), 'cut2.jpg')).message).toMatch(/^cut2\.jpg: JPEG is truncated/);
    const png = encodePng(gradientImage(40, 30));
    for (const cut of [20, 33, 60, png.length - 13, png.length - 1]) {
      expect(caught(() => decodeImage(png.subarray(0, cut), 't.png')).message).toMatch(/^t\.png: (corrupt PNG|PNG is truncated)/);
    }
  });

  it('the dataset: an error, or a counted skip with onBadFile: skip', async () => {
    const noscan = path.join(root, 'CUB_200_2011', 'images', `${imgs[2]!.key}.jpg`);
    await fs.writeFile(noscan, jpegWithoutScan());
    const ds = await openDataset(cub(root));
    expect((await rejection(drain(ds.batches({ batchSize: 4, shuffle: false })))).message).toBe(
      `${noscan}: corrupt JPEG (no image data: the file has headers but no scan)`,
    );
    const skip = await openDataset(cub(root, { onBadFile: 'skip' }));
    const batches = await drain(skip.batches({ batchSize: 2, shuffle: false }));
    expect(batches.flatMap((b) => b.keys)).not.toContain(imgs[2]!.key);
    expect(batches.map((b) => b.keys.length)).toEqual([2, 2]);
    expect(skip.skippedFiles).toEqual([{ path: noscan, code: 'ATTNC_DATA_IMAGE', reason: `${noscan}: corrupt JPEG (no image data: the file has headers but no scan)` }]);
    batches.forEach(disposeBatch);
  });
});

describe('one text rule: strict UTF-8 everywhere', () => {
  it('invalid UTF-8 in example captions is refused like in training captions, with the byte offset', async () => {
    const vocab = Vocabulary.build([['a', 'red', 'bird']]);
    await writeFile(path.join(root, 'example_filenames.txt'), 'ex\n');
    const ex = path.join(root, 'ex.txt');
    await writeFile(ex, Buffer.concat([Buffer.from('a red bird\na b'), Buffer.from([0xe9]), Buffer.from('d\n')]));
    const e = await rejection(readExampleCaptions(root, vocab));
    expect(e.message).toBe(`${ex}: caption file is not valid UTF-8 (byte 0xe9 at byte 14)`);
    expect(e.code).toBe('ATTNC_DATA_CAPTIONS');

    const txt = path.join(root, 'text', `${imgs[0]!.key}.txt`);
    await writeFile(txt, Buffer.concat([Buffer.from('a red bird\na b'), Buffer.from([0xe9]), Buffer.from('d\nthree\n')]));
    expect((await rejection(openDataset(cub(root)))).message).toBe(`${txt}: caption file is not valid UTF-8 (byte 0xe9 at byte 14)`);
    // Overlong encodings and UTF-16 surrogates are not UTF-8 either; a BOM is fine.
    await writeFile(ex, Buffer.from([0x61, 0x20, 0xc0, 0xaf]));
    expect((await rejection(readExampleCaptions(root, vocab))).message).toMatch(/byte 0xc0 at byte 2/);
    await writeFile(ex, Buffer.from([0x61, 0x20, 0xed, 0xa0, 0x80]));
    expect((await rejection(readExampleCaptions(root, vocab))).message).toMatch(/byte 0xed at byte 2/);
    await writeFile(ex, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a red bird\n')]));
    expect((await readExampleCaptions(root, vocab))[0]!.lengths).toEqual([3]);
    // The list files follow the same rule.
    await writeFile(path.join(root, 'example_filenames.txt'), Buffer.from([0x65, 0x78, 0xff, 0x0a]));
    expect((await rejection(readExampleCaptions(root, vocab))).message).toMatch(/example_filenames\.txt: example list is not valid UTF-8 \(byte 0xff at byte 2\)/);
  });

  it('a NUL byte in a text file is refused (a binary file, not captions)', async () => {
    const txt = path.join(root, 'text', `${imgs[0]!.key}.txt`);
    await writeFile(txt, 'a bird\nsmall\u0000bird\nthird one\n');
    expect((await rejection(openDataset(cub(root)))).message).toBe(`${txt}: caption file contains a NUL byte at byte 12`);
  });
});

describe('empty captions never reach a batch', () => {
  let custom: string;
  beforeEach(async () => {
    custom = path.join(work, 'custom');
    await writeCustomFixture(custom, { train: makeImages(3, 2), test: [] });
    await writeFile(path.join(custom, 'vocab.json'), JSON.stringify({ format: 'attnc-vocab', version: 1, words: ['<end>', 'a', 'bird', 'red'] }));
    await writeFile(path.join(custom, 'text', 'img000.txt'), 'zebra okapi\na red bird\n');
    await writeFile(path.join(custom, 'text', 'img001.txt'), 'a bird\nred red bird\n');
    await writeFile(path.join(custom, 'text', 'img002.txt'), 'zebra\nnaïve éé\n');
  });
  const customCfg = (over: Partial<FolderDatasetConfig> = {}): FolderDatasetConfig => ({ ...cub(custom), kind: 'custom', capsPerImage: 2, ...over });

  it('an image whose every caption lost all its words is an error naming the file, or a counted skip', async () => {
    const e = await rejection(openDataset(customCfg()));
    expect(e.message).toBe(`${path.join(custom, 'text', 'img002.txt')}: every caption is empty after dropping words not in ${path.join(custom, 'vocab.json')}`);
    const ds = await openDataset(customCfg({ onBadFile: 'skip' }));
    expect([ds.size, ds.skipped, ds.emptyCaptions]).toEqual([2, 1, 3]);
    expect(ds.warnings).toContain('3 caption(s) have no word in the vocabulary and are never drawn');
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 8; epoch++) {
      for (const b of await drain(ds.batches({ batchSize: 2, seed: epoch }))) {
        expect(Math.min(...b.lengths)).toBeGreaterThan(0);
        b.keys.forEach((k, r) => expect(b.captionIndex[r]).toBe(k === 'img000' ? 1 : b.captionIndex[r]));
        disposeBatch(b);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    expect((await ds.getSample(0, Rng.stream(0))).captions).toEqual([[1, 3, 2]]);
  });

  it('captions.pickle: empty id lists are never drawn; an image with only empty ones is a bad file', async () => {
    const vocab = Vocabulary.build([['a', 'red', 'bird']]);
    const ok = [[1, 3, 2], [2]];
    const pickle = path.join(root, 'captions.pickle');
    // 4 train images × 3 captions: image 1 has one empty caption, image 2 only empty ones.
    const train = [ok[0]!, ok[1]!, [1], [], [2], [3], [], [], [], [1], [2], [3]];
    await writeFile(pickle, writeCaptionsPickle({ train, test: [[1], [2], [3]], vocab }));
    expect((await rejection(openDataset(cub(root)))).message).toBe(`${pickle}: every caption of ${imgs[2]!.key} is empty`);
    const ds = await openDataset(cub(root, { onBadFile: 'skip' }));
    expect([ds.size, ds.skipped, ds.emptyCaptions]).toEqual([3, 1, 4]);
    expect((await ds.getSample(1, Rng.stream(0))).captions).toEqual([[2], [3]]);
    for (const b of await drain(ds.batches({ batchSize: 3, seed: 5 }))) {
      expect(Math.min(...b.lengths)).toBeGreaterThan(0);
      b.keys.forEach((k, r) => k === imgs[1]!.key && expect([1, 2]).toContain(b.captionIndex[r]));
      disposeBatch(b);
    }
  });

  it('gen_example: a line without a known word is left out and reported, never a zero-length row', async () => {
    const vocab = Vocabulary.build([['a', 'red', 'bird']]);
    await writeFile(path.join(root, 'example_filenames.txt'), 'ex\n');
    await writeFile(path.join(root, 'ex.txt'), 'a red bird\nzebra okapi\nbird\n');
    const [ex] = await readExampleCaptions(root, vocab);
    expect(ex!.lengths).toEqual([3, 1]);
    expect(ex!.skipped).toEqual([{ line: 2, text: 'zebra okapi', unknown: ['zebra', 'okapi'] }]);
    await writeFile(path.join(root, 'ex.txt'), 'zebra okapi\n');
    expect((await rejection(readExampleCaptions(root, vocab))).message).toBe(`${path.join(root, 'ex.txt')}: no caption has a word in the vocabulary (1 line(s), e.g. line 1)`);
  });
});
