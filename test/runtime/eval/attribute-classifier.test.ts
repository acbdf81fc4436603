import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, openDataset, type SynthBirdsDatasetConfig } from '../../../runtime/data/dataset.js';
import { AttributeClassifier, HEADS, attributesByKey } from '../../../runtime/eval/attribute-classifier.js';
import { classifierExtractor } from '../../../runtime/eval/extractor.js';
import { FeatureStats, frechetDistance } from '../../../runtime/eval/fid.js';
import { InceptionScoreSums } from '../../../runtime/eval/inception-score.js';
import { evalDatasetConfig } from '../../../runtime/model/data.js';
import * as tiny from '../../../generated/tiny/index.js';

/**
 * The classifier for the built-in dataset's standard configuration (the tiny spec's synthetic birds)
 * ships with attnc (runtime/eval/weights/, float16, made by tools/train-attribute-classifier.ts), so
 * `attnc eval` never trains it; any other configuration trains once (10 CPU-minutes, with an ETA)
 * and is cached. The training path is tested below on a small recipe.
 */
describe('attribute classifier (synthetic birds)', () => {
  const test = evalDatasetConfig(tiny.plan.data, 'test', 64) as SynthBirdsDatasetConfig;
  let classifier: AttributeClassifier;
  // An empty cache and a log that fails on any training line: what `attnc eval` gets on a fresh machine.
  const freshCache = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-fresh-cache-'));
  beforeAll(async () => {
    classifier = await AttributeClassifier.load({
      dataset: test,
      cacheDir: freshCache,
      log: (line) => { throw new Error(`the shipped classifier should load without training: ${line}`); },
    });
  }, 60_000);
  afterAll(() => fs.rmSync(freshCache, { recursive: true, force: true }));

  it('the tiny spec\'s classifier loads from the weights shipped with attnc (float16, under 1 MB), nothing trained or cached', () => {
    expect(classifier.source).toBe('shipped');
    expect(path.relative(path.resolve(import.meta.dirname, '../../..'), classifier.cachedAt!)).toBe(path.join('runtime', 'eval', 'weights', 'attribute-classifier-98d450fe5e90d9b0.safetensors'));
    expect(fs.statSync(classifier.cachedAt!).size).toBeLessThan(2 ** 20);
    expect(classifier.meta.trainedOn).toMatchObject({ images: 6000, seed: 1, epochs: 16 });
    expect(fs.readdirSync(freshCache)).toEqual([]);
  });
  afterAll(() => classifier.dispose());

  async function readSplit(split: string) {
    const cfg = evalDatasetConfig(tiny.plan.data, split, 64);
    const truth = attributesByKey((cfg as SynthBirdsDatasetConfig).synth);
    const ds = await openDataset(cfg);
    const correct = Object.fromEntries(HEADS.map((h) => [h.name, 0]));
    let n = 0;
    const ext = classifierExtractor(classifier);
    const feats = new FeatureStats(ext.dim);
    const is = new InceptionScoreSums(ext.classes, 1);
    for await (const b of ds.batches({ batchSize: 50, shuffle: false, dropLast: false })) {
      const labels = classifier.labels(b.images[0]!);
      labels.forEach((l, i) => {
        const a = truth.get(b.keys[i]!)! as unknown as Record<string, string>;
        for (const h of HEADS) if (l[h.name] === a[h.name]) correct[h.name]!++;
      });
      const { features, probs } = ext.apply(b.images[0]!);
      feats.add(features.dataSync() as Float32Array);
      is.add(probs.dataSync() as Float32Array, b.keys.map((_, i) => n + i));
      tf.dispose([features, probs]);
      n += b.keys.length;
      disposeBatch(b);
    }
    await ds.close();
    return { accuracy: Object.fromEntries(HEADS.map((h) => [h.name, (100 * correct[h.name]!) / n])), n, feats, is };
  }

  it('trains on a small recipe: finite loss, cached under its recipe key, reloads with the same predictions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-classifier-'));
    try {
      const small = { ...test, synth: { ...test.synth, images: 240 } };
      const lines: string[] = [];
      const c = await AttributeClassifier.load({ dataset: small, images: 240, epochs: 1, cacheDir: dir, log: (l) => lines.push(l) });
      expect(c.source).toBe('trained');
      expect(c.meta.trainedOn).toMatchObject({ images: 240, epochs: 1 });
      // Progress: what it is about to do, an early ETA, then each epoch.
      expect(lines[0]).toMatch(/training the attribute classifier once for this dataset: \d+ train images × 1 epochs \(\d+ steps/);
      expect(lines[1]).toMatch(/attribute classifier: \d+\/\d+ steps, ETA \d+(m\d\ds|s)$/);
      expect(lines.at(-1)).toMatch(/attribute classifier epoch 1\/1: loss \d+\.\d+, \d+(m\d\ds|s) elapsed$/);
      expect(fs.readdirSync(dir)).toEqual([path.basename(c.cachedAt!)]);
      const again = await AttributeClassifier.load({ dataset: small, images: 240, epochs: 1, cacheDir: dir });
      expect(again.source).toBe('cache');
      const x = tf.randomUniform([3, 64, 64, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      expect(again.labels(x)).toEqual(c.labels(x));
      tf.dispose(x);
      c.dispose();
      again.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 10 * 60_000);

  it('reloads with the same predictions', async () => {
    expect(classifier.meta.trainedOn.trainImages).toBeGreaterThan(1000);
    const again = await AttributeClassifier.load({ dataset: test });
    expect(again.source).toBe('shipped');
    const x = tf.randomUniform([4, 64, 64, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    expect(again.labels(x)).toEqual(classifier.labels(x));
    x.dispose();
    again.dispose();
  });

  it('reads real test images at ≥ 95 % over all attributes (its ceiling), also on held-out colour combinations', async () => {
    for (const split of ['test', 'heldout']) {
      const { accuracy, n } = await readSplit(split);
      expect(n).toBeGreaterThan(100);
      const pooled = HEADS.reduce((s, h) => s + accuracy[h.name]!, 0) / HEADS.length;
      expect(pooled, `${split} pooled`).toBeGreaterThanOrEqual(95);
      // Beak length (a few pixels at 64 px, relative to body size) is the weakest head (≈ 92 %); every head stays ≥ 90 %.
      for (const h of HEADS) expect(accuracy[h.name], `${split} ${h.name}`).toBeGreaterThanOrEqual(h.name === 'beak' ? 90 : 94);
    }
  });

  it('as FID/IS extractor: FID of the real test set against itself ≈ 0, against noise large; 1 ≤ IS ≤ 729; no tensor leaks', async () => {
    await readSplit('test'); // warm-up: the first call per input shape may allocate kernels' constants
    const before = tf.memory().numTensors;
    const { feats, is } = await readSplit('test');
    const noise = new FeatureStats(feats.dim);
    const ext = classifierExtractor(classifier);
    for (let i = 0; i < 4; i++) {
      const x = tf.randomUniform([50, 64, 64, 3], -1, 1, 'float32', i) as tf.Tensor4D;
      const { features, probs } = ext.apply(x);
      noise.add(features.dataSync() as Float32Array);
      tf.dispose([x, features, probs]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(frechetDistance(feats, feats)).toBeLessThan(1e-6);
    expect(frechetDistance(feats, noise)).toBeGreaterThan(10);
    const s = is.score().mean;
    expect(s).toBeGreaterThanOrEqual(1);
    expect(s).toBeLessThanOrEqual(729);
    expect(s).toBeGreaterThan(50); // real test birds span many colour triples
  });
});
