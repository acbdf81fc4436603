import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateShard, readPartial, type EvalOptions } from '../../../runtime/eval/evaluate.js';
import type { FeatureExtractor } from '../../../runtime/eval/extractor.js';
import type { InferenceModel } from '../../../runtime/model/contract.js';
import { evalDatasetConfig } from '../../../runtime/model/data.js';
import { mergePartials } from '../../../runtime/eval/report.js';
import { isAttncError } from '../../../runtime/util/errors.js';
import { tinyModel } from './tiny-model.js';
import { PARTS } from '../../../runtime/data/synthbirds/index.js';
import type { PartSegmenter } from '../../../runtime/eval/part-segmenter.js';

/** A stand-in segmenter: the left half of every picture is wing, the right half belly (the metric's sums, not its meaning, are under test here). */
const halvesSegmenter = {
  name: 'test-halves',
  predict(images: tf.Tensor4D) {
    return tf.tidy(() => {
      const B = images.shape[0];
      const m = new Float32Array(B * 64 * 64 * PARTS.length);
      for (let b = 0; b < B; b++) for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) m[((b * 64 + y) * 64 + x) * PARTS.length + (x < 32 ? 1 : 2)] = 1;
      return tf.tensor4d(m, [B, 64, 64, PARTS.length]);
    });
  },
} as unknown as PartSegmenter;

/** A cheap deterministic extractor for the merge test: the DAMSM image encoder's global feature, softmax over it as "classes". */
function encoderExtractor(model: InferenceModel): FeatureExtractor {
  return {
    name: 'test-damsm-global',
    description: 'test extractor: DAMSM global feature',
    dim: 64,
    classes: 64,
    apply(images) {
      return tf.tidy(() => {
        const { global, regions } = model.imageEncoder.apply(images, false);
        regions.dispose();
        return { features: global, probs: tf.softmax(tf.mul(global, 5)) as tf.Tensor2D };
      });
    },
    dispose() {},
  };
}

describe('evaluation shards', () => {
  let model: InferenceModel;
  let root: string;
  let opts: Omit<EvalOptions, 'shard'>;
  beforeAll(async () => {
    model = await tinyModel();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-eval-'));
    opts = {
      split: 'test', metrics: ['rprecision', 'fid', 'is', 'attention', 'damsm'], samples: 31, batchSize: 7, seed: 5,
      rprecision: { candidates: 20, folds: 4 }, isSplits: 3, examples: 5,
      dataset: evalDatasetConfig(model.data, 'test', 64), extractor: encoderExtractor(model),
      trainDataset: evalDatasetConfig(model.data, 'train', 64),
      segmenter: { model: halvesSegmenter, score: { pixelAccuracy: 1, iou: {}, pictures: 0 } },
    };
  });
  afterAll(() => {
    model.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('3 shards merged give the same report as one unsharded run', async () => {
    const whole = await evaluateShard(model, { ...opts, shard: { k: 0, n: 1 } }, path.join(root, 'whole'));
    const single = mergePartials([whole], [path.join(root, 'whole')], path.join(root, 'whole'));
    const dirs = [2, 0, 1].map((k) => path.join(root, `shard-${k}-of-3`));
    const before = tf.memory().numTensors;
    for (const [i, k] of [2, 0, 1].entries()) await evaluateShard(model, { ...opts, shard: { k, n: 3 } }, dirs[i]!);
    expect(tf.memory().numTensors).toBe(before);
    const merged = mergePartials(dirs.map(readPartial), dirs, path.join(root, 'merged'));

    expect(merged.generated).toBe(31);
    expect(merged.realImages).toBe(single.realImages);
    expect(merged.rprecision).toEqual(single.rprecision);
    expect(merged.rprecision!.perFold).toHaveLength(4);
    expect(merged.is!.perSplit).toHaveLength(3);
    merged.is!.perSplit.forEach((v, i) => expect(v).toBeCloseTo(single.is!.perSplit[i]!, 6));
    expect(merged.fid!.value).toBeCloseTo(single.fid!.value, 4);
    expect(merged.fid!.value).toBeGreaterThan(0);
    expect(merged.fid!.floor).toBeCloseTo(single.fid!.floor!, 4);
    expect(merged.fid!.floor).toBeGreaterThan(0);
    expect(merged.fid!.trainImages).toBe(single.realImages);
    // DAMSM R@1: ≥ 1000 captions in full batches of the DAMSM batch size, the same sums however sharded.
    expect(merged.damsm).toEqual(single.damsm);
    expect(merged.damsm!.captions).toBeGreaterThanOrEqual(1000);
    expect(merged.damsm!.captions % merged.damsm!.batchSize).toBe(0);
    expect(merged.damsm!.oracle).toBeGreaterThan(merged.damsm!.r1);
    expect(merged.attention!.parts.wing!.words + merged.attention!.parts.belly!.words).toBeGreaterThan(0);
    expect(merged.attention!.parts.crown!.words).toBe(0);
    for (const k of ['wing', 'belly'] as const) {
      expect(merged.attention!.parts[k]!.lift).toBeCloseTo(single.attention!.parts[k]!.lift, 6);
      expect(merged.attention!.parts[k]!.ceiling).toBeCloseTo(2, 6); // each half is half the grid
    }
    expect(merged.examples).toEqual({ file: 'examples.png', count: 5 });
    const md = fs.readFileSync(path.join(root, 'merged', 'report.md'), 'utf8');
    expect(md).toContain('merged from 3 shards');
    expect(md).toContain('FID (test-damsm-global)');
    expect(md).toContain('19 captions of images from other classes');
    expect(md).toContain('FID floor (training vs test real images)');
    expect(md).toContain('| attention lift (colour words, last stage) |');
    expect(md).toMatch(/\| DAMSM R@1 on real images \(batch \d+\) \| [\d.]+ % \(oracle ceiling/);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'merged', 'report.json'), 'utf8')).rprecision).toEqual(single.rprecision);
  });

  it('refuses incomplete, duplicated or mismatched shard sets', async () => {
    const dirs = [0, 1, 2].map((k) => path.join(root, `shard-${k}-of-3`));
    const parts = dirs.map(readPartial);
    const fails = (p: typeof parts, d: string[], re: RegExp) => {
      try {
        mergePartials(p, d, path.join(root, 'bad'));
        expect.unreachable();
      } catch (e) {
        expect(isAttncError(e)).toBe(true);
        expect((e as Error).message).toMatch(re);
      }
    };
    fails(parts.slice(0, 2), dirs.slice(0, 2), /shards 2\/3 missing/);
    fails([parts[0]!, parts[0]!, parts[1]!], [dirs[0]!, dirs[0]!, dirs[1]!], /shard 0\/3 given twice/);
    fails([parts[0]!, { ...parts[1]!, protocol: { ...parts[1]!.protocol, seed: 6 } }, parts[2]!], dirs, /another protocol/);
    fs.writeFileSync(path.join(root, 'broken.json'), '{');
    expect(() => readPartial(root)).toThrow(/partial\.json: missing or not JSON/);
  });
});
