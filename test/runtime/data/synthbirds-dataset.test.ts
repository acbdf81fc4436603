import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import type { Batch, Dataset, SynthBirdsDatasetConfig } from '../../../runtime/data/dataset.js';
import { Rng } from '../../../runtime/util/rng.js';
import { synthRenderSize } from '../../../runtime/data/synth-index.js';
import { grammarVocabulary } from '../../../runtime/data/synthbirds/captions.js';
import { synthBirds } from '../../../runtime/data/synthbirds/dataset.js';
import { writeSynthBirds } from '../../../runtime/data/synthbirds/write.js';
import { regionPartFractions } from '../../../runtime/data/synthbirds/region-parts.js';
import { captionWordParts } from '../../../runtime/data/synthbirds/word-parts.js';
import { PARTS, renderBirdWithMasks } from '../../../runtime/data/synthbirds/render.js';
import { tokenize } from '../../../runtime/data/tokenizer.js';
import { isAttncError } from '../../../runtime/util/errors.js';

const SYNTH = { images: 150, seed: 3 };
const cfg = (over: Partial<SynthBirdsDatasetConfig> = {}): SynthBirdsDatasetConfig => ({
  kind: 'synthbirds',
  synth: SYNTH,
  split: 'train',
  capsPerImage: 5,
  wordsNum: 12,
  imageSizes: [16, 32],
  augment: true,
  resizeRatio: 1.125,
  onBadFile: 'error',
  seed: 7,
  ...over,
});

interface Plain {
  images: number[][];
  captions: number[];
  shape: number[];
  lengths: number[];
  classIds: number[];
  keys: string[];
  captionIndex: number[];
}

async function collect(ds: Dataset, opts: Parameters<Dataset['batches']>[0]): Promise<Plain[]> {
  const out: Plain[] = [];
  for await (const b of ds.batches(opts)) {
    out.push({
      images: b.images.map((t) => Array.from(t.dataSync())),
      captions: Array.from(b.captions.dataSync()),
      shape: b.captions.shape,
      lengths: b.lengths,
      classIds: b.classIds,
      keys: b.keys,
      captionIndex: b.captionIndex,
    });
    disposeBatch(b);
  }
  return out;
}

async function expectError(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(isAttncError(e), String(e)).toBe(true);
  expect((e as { code: string }).code).toBe(code);
}

const birds = synthBirds({ n: SYNTH.images, seed: SYNTH.seed });

describe("openDataset({ kind: 'synthbirds' })", () => {
  it('renders in memory at the crop source size: the split, keys and class ids of synthBirds()', async () => {
    const ds = await openDataset(cfg());
    expect(ds.size).toBe(birds.splits.train.length);
    expect(ds.keys).toEqual(birds.splits.train.map((i) => birds.items[i]!.key));
    expect(ds.vocabSource).toBe('built');
    expect(ds.skipped).toBe(0);
    expect(synthRenderSize([16, 32], 1.125)).toBe(36);
    expect(synthRenderSize([64, 128, 256])).toBe(256); // 304 is beyond the renderer: clamped, the transform resamples
    expect(synthRenderSize([8, 16])).toBe(32);
    const s = await ds.getSample(0, Rng.stream(1));
    expect([s.image.width, s.image.height]).toEqual([32, 32]);
    expect([s.transform.resizedWidth, s.transform.resizedHeight]).toEqual([36, 36]);
    expect(s.captions).toHaveLength(5);
    expect(s.classId).toBe(birds.items[birds.splits.train[0]!]!.classId);
    await ds.close();
  });

  it('yields the usual Batch: pyramid in [−1, 1], padded int32 captions sorted by length, class ids, keys', async () => {
    const ds = await openDataset(cfg());
    const byKey = new Map(birds.items.map((it) => [it.key, it]));
    let n = 0;
    for await (const b of ds.batches({ batchSize: 8 })) {
      expect(b.images.map((t) => t.shape)).toEqual([[8, 16, 16, 3], [8, 32, 32, 3]]);
      for (const t of b.images) {
        expect(t.dtype).toBe('float32');
        const d = t.dataSync();
        let lo = Infinity, hi = -Infinity;
        for (const v of d) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        expect(lo).toBeGreaterThanOrEqual(-1);
        expect(hi).toBeLessThanOrEqual(1);
        expect(hi - lo).toBeGreaterThan(0.5); // a picture, not a flat fill
      }
      expect(b.captions.dtype).toBe('int32');
      const [B, T] = b.captions.shape;
      expect(B).toBe(8);
      expect(T).toBe(Math.max(...b.lengths));
      expect(b.lengths).toEqual([...b.lengths].sort((x, y) => y - x));
      const caps = b.captions.arraySync();
      b.keys.forEach((key, r) => {
        const it = byKey.get(key)!;
        expect(it.split).toBe('train');
        expect(b.classIds[r]).toBe(it.classId);
        expect(b.captionIndex[r]).toBeLessThan(5);
        const row = caps[r]!;
        expect(row.slice(b.lengths[r]!).every((v) => v === 0)).toBe(true);
        // Synthetic captions fit WORDS_NUM 12 only sometimes; the kept words are a subsequence of the caption.
        const words = ds.vocab.decode(row.slice(0, b.lengths[r]!));
        const full = tokenize(it.captions[b.captionIndex[r]!]!);
        expect(b.lengths[r]).toBe(Math.min(12, full.length));
        let j = 0;
        for (const w of full) if (w === words[j]) j++;
        expect(j).toBe(words.length);
      });
      disposeBatch(b);
      n++;
    }
    expect(n).toBe(Math.floor(ds.size / 8));
    await ds.close();
  });

  it('same config and seed → identical batches (also from worker threads); another seed → another epoch', async () => {
    const a = await collect(await openDataset(cfg()), { batchSize: 6 });
    const again = await openDataset(cfg());
    const b = await collect(again, { batchSize: 6, workers: 1 });
    await again.close();
    expect(b).toEqual(a);
    const c = await collect(await openDataset(cfg()), { batchSize: 6, seed: 8 });
    expect(c.map((x) => x.keys)).not.toEqual(a.map((x) => x.keys));
    const other = await collect(await openDataset(cfg({ synth: { ...SYNTH, seed: 4 } })), { batchSize: 6 });
    expect(other[0]!.images[0]).not.toEqual(a[0]!.images[0]);
  });

  it('splits: heldout holds only held-out classes, train and test none of them', async () => {
    const held = new Set(birds.heldoutClassIds);
    for (const split of ['train', 'test', 'heldout'] as const) {
      const ds = await openDataset(cfg({ split, augment: false }));
      expect(ds.keys).toEqual(birds.splits[split].map((i) => birds.items[i]!.key));
      const classes: number[] = [];
      for await (const b of ds.batches({ batchSize: 4, dropLast: false, shuffle: false })) {
        classes.push(...b.classIds);
        disposeBatch(b);
      }
      expect(classes).toHaveLength(ds.size);
      expect(classes.every((c) => held.has(c))).toBe(split === 'heldout');
      expect(classes.some((c) => held.has(c))).toBe(split === 'heldout');
    }
  });

  it('vocabulary: built from the train + test captions, contains each of their words, same for every split', async () => {
    const ds = await openDataset(cfg({ capsPerImage: 10 }));
    const words = new Set(ds.vocab.ixToWord);
    for (const i of [...birds.splits.train, ...birds.splits.test]) {
      for (const c of birds.items[i]!.captions) for (const w of tokenize(c)) expect(words.has(w), w).toBe(true);
    }
    expect(ds.vocab.ixToWord[0]).toBe('<end>');
    expect(ds.vocab.ixToWord.slice(1)).toEqual([...ds.vocab.ixToWord.slice(1)].sort());
    expect([...words].every((w) => w === '<end>' || grammarVocabulary().includes(w))).toBe(true);
    const heldout = await openDataset(cfg({ capsPerImage: 10, split: 'heldout' }));
    expect(heldout.vocab.ixToWord).toEqual(ds.vocab.ixToWord);
    // Only the first capsPerImage captions are used, for the vocabulary too.
    const five = await openDataset(cfg({ capsPerImage: 5 }));
    const firstFive = new Set([...birds.splits.train, ...birds.splits.test].flatMap((i) => birds.items[i]!.captions.slice(0, 5).flatMap(tokenize)));
    expect(five.vocab.size).toBe(firstFive.size + 1);
  });

  it('matches the same birds written to disk and opened as cub (whole images, captions.pickle ids)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-synthds-'));
    try {
      const c = cfg({ capsPerImage: 10, wordsNum: 18 });
      const size = synthRenderSize(c.imageSizes, c.resizeRatio);
      writeSynthBirds(synthBirds({ n: SYNTH.images, seed: SYNTH.seed, size }), tmp);
      const mem = await openDataset(c);
      const disk = await openDataset({ ...c, kind: 'cub', root: tmp, bboxCrop: false });
      expect(disk.vocabSource).toBe('captions.pickle');
      // The pickle's vocabulary also covers heldout captions: equal here because train + test use all 60 grammar words.
      expect(disk.vocab.ixToWord).toEqual(mem.vocab.ixToWord);
      expect(disk.keys).toEqual(mem.keys);
      expect(await collect(disk, { batchSize: 5 })).toEqual(await collect(mem, { batchSize: 5 }));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('longCaptions truncate keeps the first wordsNum words; augment can crop without flipping', async () => {
    const ds = await openDataset(cfg({ longCaptions: 'truncate', wordsNum: 6 }));
    const byKey = new Map(birds.items.map((it) => [it.key, it]));
    for await (const b of ds.batches({ batchSize: 8 })) {
      const caps = b.captions.arraySync();
      b.keys.forEach((key, r) => {
        const full = tokenize(byKey.get(key)!.captions[b.captionIndex[r]!]!);
        expect(ds.vocab.decode(caps[r]!)).toEqual(full.slice(0, 6));
      });
      disposeBatch(b);
    }
    const noFlip = await openDataset(cfg({ augment: { randomCrop: true, flip: false } }));
    const infos = await Promise.all(Array.from({ length: 20 }, (_, k) => noFlip.getSample(k % noFlip.size, Rng.stream(k)).then((s) => s.transform)));
    expect(infos.some((t) => t.flipped)).toBe(false);
    expect(new Set(infos.map((t) => `${t.cropX},${t.cropY}`)).size).toBeGreaterThan(1);
    const flipOnly = await openDataset(cfg({ augment: { randomCrop: false, flip: true } }));
    const infos2 = await Promise.all(Array.from({ length: 20 }, (_, k) => flipOnly.getSample(0, Rng.stream(k)).then((s) => s.transform)));
    expect(infos2.every((t) => t.cropX === 2 && t.cropY === 2)).toBe(true);
    expect(new Set(infos2.map((t) => t.flipped)).size).toBe(2);
  });

  it('disposing batches leaves no tensors, also after an early break with prefetch', async () => {
    const ds = await openDataset(cfg());
    const before = tf.memory().numTensors;
    for await (const b of ds.batches({ batchSize: 4, prefetch: 3 })) disposeBatch(b);
    expect(tf.memory().numTensors).toBe(before);
    let first: Batch | undefined;
    for await (const b of ds.batches({ batchSize: 4, prefetch: 3 })) {
      first = b;
      break;
    }
    disposeBatch(first!);
    await new Promise((r) => setTimeout(r, 50)); // in-flight prefetched batches are disposed as they land
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad options are AttncErrors', async () => {
    await expectError(openDataset(cfg({ split: 'val' })), 'ATTNC_DATA_CONFIG');
    await expectError(openDataset(cfg({ capsPerImage: 11 })), 'ATTNC_DATA_CONFIG');
    await expectError(openDataset(cfg({ synth: { images: 0 } })), 'ATTNC_DATA_CONFIG');
    await expectError(openDataset(cfg({ synth: { images: 10, heldoutFraction: 0.9 } })), 'ATTNC_DATA_CONFIG');
    await expectError(openDataset(cfg({ resizeRatio: 0.5 })), 'ATTNC_DATA_CONFIG');
    await expectError(openDataset(cfg({ split: 'heldout', synth: { images: 20, heldoutFraction: 0 } })), 'ATTNC_DATA_EMPTY');
  });

  it('partGrid: every batch carries the part shares of its pictures, after the same crop and flip, in the batch order; the same from worker threads', async () => {
    const ds = await openDataset(cfg());
    const parts: number[][] = [];
    let checked = 0;
    for await (const b of ds.batches({ batchSize: 4, partGrid: 4 })) {
      expect(b.parts!.shape).toEqual([4, 4, 4, PARTS.length]);
      const shares = b.parts!.arraySync() as number[][][][];
      parts.push(Array.from(b.parts!.dataSync()));
      if (checked < 2) {
        // The batch is sorted by caption length: row r is the picture of key r. Re-derive its shares.
        const i = ds.keys.indexOf(b.keys[0]!);
        const item = birds.items.find((x) => x.key === b.keys[0])!;
        const r = renderBirdWithMasks(item.attributes, 36, item.renderSeed);
        const rgb = Array.from(b.images[1]!.slice([0, 0, 0, 0], [1, 32, 32, 3]).dataSync());
        // Find the crop and flip that reproduce row 0's picture, then its shares must be regionPartFractions of it.
        let found = false;
        for (let cy = 0; cy <= 4 && !found; cy++)
          for (let cx = 0; cx <= 4 && !found; cx++)
            for (const flipped of [false, true]) {
              const info = { resizedWidth: 36, resizedHeight: 36, cropX: cx, cropY: cy, flipped };
              let same = true;
              for (let y = 0; y < 32 && same; y++)
                for (let x = 0; x < 32 && same; x++) {
                  const sx = cx + (flipped ? 31 - x : x);
                  for (let c = 0; c < 3; c++) if (Math.abs(r.rgb[((cy + y) * 36 + sx) * 3 + c]! / 127.5 - 1 - rgb[(y * 32 + x) * 3 + c]!) > 1e-5) same = false;
                }
              if (!same) continue;
              found = true;
              const want = regionPartFractions(r.masks, info, 32, 4);
              shares[0]!.flat().flat().forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 5));
              break;
            }
        expect(found, `row 0 (${b.keys[0]}, sample ${i}) is a crop of its rendering`).toBe(true);
        checked++;
      }
      disposeBatch(b);
    }
    const again = await openDataset(cfg());
    const fromWorkers: number[][] = [];
    for await (const b of again.batches({ batchSize: 4, partGrid: 4, workers: 1 })) {
      fromWorkers.push(Array.from(b.parts!.dataSync()));
      disposeBatch(b);
    }
    await again.close();
    expect(fromWorkers).toEqual(parts);
  });

  it('wordParts: each word the caption attaches to a part carries that part, and it is the bird\'s own value there (words dropped too)', async () => {
    const ds = await openDataset(cfg());
    let named = 0;
    for await (const b of ds.batches({ batchSize: 4, wordParts: true })) {
      const [B, T] = b.captions.shape;
      const ids = b.captions.arraySync() as number[][];
      expect(b.wordParts!.length).toBe(B * T);
      for (let r = 0; r < B; r++) {
        const attrs = birds.items.find((x) => x.key === b.keys[r])!.attributes as unknown as Record<string, string>;
        for (let t = 0; t < T; t++) {
          const part = b.wordParts![r * T + t]!;
          if (t >= b.lengths[r]!) expect(part).toBe(-1); // padding
          if (part < 0) continue;
          named++;
          const name = PARTS[part]!;
          expect(['wing', 'belly', 'crown', 'beak']).toContain(name);
          // "red" before "crown": the word is the bird's crown colour (for the beak, its length).
          expect(ds.vocab.ixToWord[ids[r]![t]!]).toBe(attrs[name]);
        }
      }
      disposeBatch(b);
    }
    expect(named).toBeGreaterThan(100);
    await ds.close();
    expect(captionWordParts(ds.vocab.encode(tokenize('a small bird with a red crown and a short beak')).ids, ds.vocab)).toEqual(
      Int32Array.from([-1, -1, -1, -1, -1, PARTS.indexOf('crown'), -1, -1, -1, PARTS.indexOf('beak'), -1]),
    );
  });

  it('partGrid on a folder dataset is refused: only synthetic birds have part masks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-parts-'));
    try {
      writeSynthBirds(synthBirds({ n: 20, seed: 1, size: 36 }), dir);
      const ds = await openDataset({ ...cfg({ capsPerImage: 10, wordsNum: 18 }), kind: 'cub', root: dir, bboxCrop: false });
      expect(() => ds.batches({ batchSize: 2, partGrid: 4 })).toThrow(/only for synthetic birds/);
      expect(() => ds.batches({ batchSize: 2, wordParts: true })).toThrow(/known only for synthetic birds/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
