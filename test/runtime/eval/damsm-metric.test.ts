import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type Dataset } from '../../../runtime/data/dataset.js';
import { attributesByKey } from '../../../runtime/eval/attribute-classifier.js';
import { DAMSM_MIN_CAPTIONS, damsmPasses, damsmRecall } from '../../../runtime/eval/damsm-metric.js';
import type { InferenceModel } from '../../../runtime/model/contract.js';
import { evalDatasetConfig } from '../../../runtime/model/data.js';
import { tinyModel } from './tiny-model.js';

describe('damsmPasses', () => {
  it('passes enough full batches to rank at least DAMSM_MIN_CAPTIONS captions', () => {
    expect(damsmPasses(188, 16)).toBe(Math.ceil(DAMSM_MIN_CAPTIONS / 176));
    expect(damsmPasses(5000, 16)).toBe(1);
    expect(damsmPasses(10, 16)).toBe(0);
  });
});

describe('damsmRecall', () => {
  let model: InferenceModel;
  let ds: Dataset;
  beforeAll(async () => {
    model = await tinyModel();
    const cfg = evalDatasetConfig(model.data, 'test', 64);
    ds = await openDataset({ ...cfg, imageSizes: model.data.imageSizes, augment: false });
  });
  afterAll(async () => {
    await ds.close();
    model.dispose();
  });

  it('with a text encoder that says the same of every caption, the first caption of each batch wins: one hit per batch', async () => {
    const constant = {
      apply(tokens: tf.Tensor2D) {
        return tf.tidy(() => ({ sentence: tf.ones([tokens.shape[0], 8]) as tf.Tensor2D, words: tf.zeros([tokens.shape[0], 8, tokens.shape[1]]) as tf.Tensor3D }));
      },
    } as unknown as InferenceModel['textEncoder'];
    const image = {
      apply(images: tf.Tensor4D) {
        return tf.tidy(() => ({ global: tf.ones([images.shape[0], 8]) as tf.Tensor2D, regions: tf.zeros([images.shape[0], 2, 2, 8]) as tf.Tensor4D }));
      },
    } as unknown as InferenceModel['imageEncoder'];
    const before = tf.memory().numTensors;
    const s = await damsmRecall({ textEncoder: constant, imageEncoder: image }, ds, { batchSize: 8, passes: 2, seed: 1, shard: { k: 0, n: 1 }, vocab: model.vocab });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.batches).toBe(2 * Math.floor(ds.size / 8));
    expect(s.hits).toBe(s.batches);
    expect(s.captions).toBe(8 * s.batches);
    expect(s.oracle).toBe(0);
  });

  it("the oracle's expected hits lie between chance and every caption, and shards add up to the whole", async () => {
    const truth = attributesByKey((ds.config as { synth: Parameters<typeof attributesByKey>[0] }).synth) as unknown as Map<string, Readonly<Record<string, string>>>;
    const opts = { batchSize: 8, passes: 1, seed: 3, vocab: model.vocab, truth };
    const whole = await damsmRecall(model, ds, { ...opts, shard: { k: 0, n: 1 } });
    expect(whole.oracle).toBeGreaterThan(whole.captions / 8);
    expect(whole.oracle).toBeLessThanOrEqual(whole.captions);
    const a = await damsmRecall(model, ds, { ...opts, shard: { k: 0, n: 2 } });
    const b = await damsmRecall(model, ds, { ...opts, shard: { k: 1, n: 2 } });
    expect(a.hits + b.hits).toBe(whole.hits);
    expect(a.oracle + b.oracle).toBeCloseTo(whole.oracle, 9);
    expect(a.batches + b.batches).toBe(whole.batches);
  });
});
