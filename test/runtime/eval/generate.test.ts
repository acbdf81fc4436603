import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCaption, readSample, tokenTensor } from '../../../runtime/eval/generate.js';
import type { InferenceModel } from '../../../runtime/model/contract.js';
import { drawNoise } from '../../../runtime/model/noise.js';
import { isAttncError } from '../../../runtime/util/errors.js';
import { tinyModel } from './tiny-model.js';

describe('sampling from captions', () => {
  let model: InferenceModel;
  beforeAll(async () => {
    model = await tinyModel();
  });
  afterAll(() => model.dispose());

  it('drops unknown words by name, cuts at the word limit, and rejects empty or unknown-only captions', () => {
    const e = encodeCaption('This bird has RED wings, a glorbish belly and a frobnicated crown.', model.vocab, 12);
    expect(e.unknown).toEqual(['glorbish', 'frobnicated']);
    expect(e.words).toEqual(['this', 'bird', 'has', 'red', 'wings', 'a', 'belly', 'and', 'a', 'crown']);
    const long = encodeCaption('the bird has red wings and a white belly and a blue crown and a long beak', model.vocab, 12);
    expect(long.words).toHaveLength(12);
    expect(long.cut).toEqual(['crown', 'and', 'a', 'long', 'beak']);
    for (const bad of ['', '  ,. !', 'glorbish frobnicated']) {
      try {
        encodeCaption(bad, model.vocab, 12);
        expect.unreachable();
      } catch (err) {
        expect(isAttncError(err)).toBe(true);
        expect((err as Error).message).toMatch(bad.includes('glorbish') ? /no word the model knows \(unknown: glorbish, frobnicated\)/ : /has no words/);
      }
    }
  });

  it('takes the noise sizes from the plan', () => {
    expect(model.noise).toEqual({ z: 32, condition: 32, truncation: null });
  });

  it('same seed → same images, whatever the batch composition; another seed → other images; no tensor leaks', () => {
    const ids = [encodeCaption('a bird with red wings', model.vocab, 12).ids, encodeCaption('the bird has a blue crown and a white belly', model.vocab, 12).ids];
    const run = (rows: number[][], gs: number[], seed: number) => {
      const { tokens, lengths } = tokenTensor(rows);
      const noise = drawNoise({ purpose: 'sample', seed, indices: gs }, model.noise);
      const out = readSample(model.sample(tokens, lengths, noise));
      tf.dispose([tokens, noise.z, noise.eps]);
      return out;
    };
    run(ids, [0, 1], 7); // warm-up
    const before = tf.memory().numTensors;
    const both = run(ids, [0, 1], 7);
    const second = run([ids[1]!], [1], 7);
    const again = run([ids[1]!], [1], 7);
    const other = run([ids[1]!], [1], 8);
    expect(tf.memory().numTensors).toBe(before);
    const last = (o: typeof both, b: number) => {
      const im = o.images.at(-1)!;
      const per = im.values.length / im.shape[0]!;
      return Array.from(im.values.subarray(b * per, (b + 1) * per));
    };
    expect(last(again, 0)).toEqual(last(second, 0));
    const diff = last(both, 1).reduce((m, v, i) => Math.max(m, Math.abs(v - last(second, 0)[i]!)), 0);
    expect(diff).toBeLessThan(1e-4);
    expect(last(other, 0)).not.toEqual(last(second, 0));
    expect(both.images.map((i) => i.shape)).toEqual([[2, 32, 32, 3], [2, 64, 64, 3]]);
    expect(both.attn[0]!.shape).toEqual([2, 32, 32, 10]);
  });
});
