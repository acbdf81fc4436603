import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthBirdsDatasetConfig } from '../../../runtime/data/dataset.js';
import { PARTS } from '../../../runtime/data/synthbirds/index.js';
import { PartSegmenter } from '../../../runtime/eval/part-segmenter.js';
import { evalDatasetConfig } from '../../../runtime/model/data.js';
import * as tiny from '../../../generated/tiny/index.js';

/**
 * The part segmenter behind `attnc eval`'s attention metric ships for the tiny spec's synthetic
 * birds (runtime/eval/weights/, float16, made by tools/train-part-segmenter.ts): it must load
 * without training and find the parts of real pictures it never saw; other configurations train
 * once (tested on a small recipe).
 */
describe('part segmenter (synthetic birds)', () => {
  const dataset = evalDatasetConfig(tiny.plan.data, 'test', 64) as SynthBirdsDatasetConfig;
  const freshCache = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-fresh-cache-'));
  let seg: PartSegmenter;
  beforeAll(async () => {
    seg = await PartSegmenter.load({ dataset, cacheDir: freshCache, log: (line) => { throw new Error(`the shipped segmenter should load without training: ${line}`); } });
  }, 60_000);
  afterAll(() => {
    seg.dispose();
    fs.rmSync(freshCache, { recursive: true, force: true });
  });

  it('loads the shipped float16 file (under 512 KiB), nothing trained or cached', () => {
    expect(seg.source).toBe('shipped');
    expect(path.basename(seg.from!)).toMatch(/^part-segmenter-[0-9a-f]{16}\.safetensors$/);
    expect(fs.statSync(seg.from!).size).toBeLessThan(512 * 1024);
    expect(fs.readdirSync(freshCache)).toEqual([]);
  });

  it('finds the parts of real held-out pictures: pixel accuracy ≥ 97 %, IoU ≥ 0.75 for wing, belly and crown', () => {
    const before = tf.memory().numTensors;
    const s = seg.score({ dataset }, 'heldout', 64);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.pictures).toBe(64);
    expect(s.pixelAccuracy).toBeGreaterThanOrEqual(0.97);
    for (const p of ['wing', 'belly', 'crown']) expect(s.iou[p]).toBeGreaterThanOrEqual(0.75);
    expect(Object.keys(s.iou)).toEqual([...PARTS]);
  });

  it('returns per-pixel part probabilities at 64×64 for any input size', () => {
    const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    const p = seg.predict(x);
    expect(p.shape).toEqual([2, 64, 64, PARTS.length]);
    const sums = tf.sum(p, 3);
    expect(Math.abs(tf.max(sums).dataSync()[0]! - 1)).toBeLessThan(1e-3);
    tf.dispose([x, p, sums]);
  });

  it('another configuration trains once (a small recipe) and is cached, then loads from the cache', async () => {
    const other = { ...dataset, synth: { ...dataset.synth, seed: 7 } };
    const lines: string[] = [];
    const opts = { dataset: other, images: 200, epochs: 1, cacheDir: freshCache, log: (l: string) => lines.push(l) };
    const a = await PartSegmenter.load(opts);
    expect(a.source).toBe('trained');
    expect(lines[0]).toMatch(/training the part segmenter once/);
    a.dispose();
    const b = await PartSegmenter.load({ ...opts, log: () => { throw new Error('cached: no training'); } });
    expect(b.source).toBe('cache');
    b.dispose();
  });
});
