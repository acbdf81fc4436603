import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { wordsLoss, sentLoss } from '../../../runtime/losses/damsm.js';
import { rng, randn, wordsLossRef, sentLossRef } from './reference.js';

// float32 tensors vs float64 loops: relative tolerance 1e-4 (scores reach ~γ3·(γ2 + log n) ≈ 60).
const TOL = 1e-4;
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(b)));

function randArr(r: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => randn(r) * scale);
}

function setup(seed: number, zeroPadding: boolean) {
  const r = rng(seed);
  const [b, h, w, d, t] = [4, 3, 2, 5, 4];
  const lengths = [4, 2, 3, 1];
  const regions = Array.from({ length: b }, () => Array.from({ length: h * w }, () => randArr(r, d)));
  const words = Array.from({ length: b }, (_, i) =>
    Array.from({ length: t }, (_, k) => (k >= lengths[i]! && zeroPadding ? new Array<number>(d).fill(0) : randArr(r, d))),
  );
  return {
    b, h, w, d, t, lengths, regions, words,
    regionsT: tf.tensor4d(regions.flat(2), [b, h, w, d]),
    wordsT: tf.tensor3d(words.flat(2), [b, t, d]),
  };
}

describe('wordsLoss', () => {
  for (const classIds of [null, [1, 2, 1, 3]]) {
    for (const paper of [false, true]) {
      it(`matches the per-caption loop (classIds ${classIds ? 'masked' : 'none'}, paperNormalisation ${paper})`, () => {
        const s = setup(7, false); // garbage at padding: must be ignored
        const ref = wordsLossRef(s.regions, s.words, s.lengths, classIds, 4, 5, 10, paper);
        const before = tf.memory().numTensors;
        const out = wordsLoss(s.regionsT, s.wordsT, s.lengths, classIds, {
          gamma1: 4, gamma2: 5, gamma3: 10, paperNormalisation: paper,
        });
        close(out.loss0.dataSync()[0]!, ref.loss0);
        close(out.loss1.dataSync()[0]!, ref.loss1);
        expect(out.attnMaps.map((m) => m.shape)).toEqual(s.lengths.map((n) => [n, s.h, s.w]));
        out.attnMaps.forEach((m, i) => {
          const got = Array.from(m.dataSync());
          ref.attn[i]!.flat().forEach((x, k) => expect(Math.abs(got[k]! - x)).toBeLessThan(1e-5));
        });
        tf.dispose([out.loss0, out.loss1, ...out.attnMaps]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it('gives finite gradients with zero vectors at padding and accepts tensor lengths', () => {
    const s = setup(11, true);
    const lens = tf.tensor1d(s.lengths, 'int32');
    const g = tf.grad((x: tf.Tensor) => {
      const o = wordsLoss(s.regionsT, x as tf.Tensor3D, s.lengths, [1, 2, 1, 3], { gamma1: 4, gamma2: 5, gamma3: 10 });
      return tf.add(o.loss0, o.loss1);
    })(s.wordsT);
    const gd = g.dataSync();
    expect(gd.every(Number.isFinite)).toBe(true);
    // no gradient reaches padding words
    for (let i = 0; i < s.b; i++)
      for (let k = s.lengths[i]!; k < s.t; k++)
        for (let d = 0; d < s.d; d++) expect(gd[(i * s.t + k) * s.d + d]).toBe(0);
    const ref = wordsLossRef(s.regions, s.words, s.lengths, [1, 2, 1, 3], 4, 5, 10);
    const o = wordsLoss(s.regionsT, s.wordsT, lens, [1, 2, 1, 3], { gamma1: 4, gamma2: 5, gamma3: 10 });
    close(o.loss0.dataSync()[0]!, ref.loss0);
    tf.dispose([g, lens, o.loss0, o.loss1, ...o.attnMaps]);
  });
});

describe('sentLoss', () => {
  for (const classIds of [null, [0, 5, 0, 5, 2]]) {
    it(`matches the loop (classIds ${classIds ? 'masked' : 'none'})`, () => {
      const r = rng(3);
      const g = Array.from({ length: 5 }, () => randArr(r, 6));
      const s = Array.from({ length: 5 }, () => randArr(r, 6));
      const ref = sentLossRef(g, s, classIds, 10);
      const before = tf.memory().numTensors;
      const gt = tf.tensor2d(g);
      const st = tf.tensor2d(s);
      const out = sentLoss(gt, st, classIds, { gamma3: 10 });
      close(out.loss0.dataSync()[0]!, ref.loss0);
      close(out.loss1.dataSync()[0]!, ref.loss1);
      expect(ref.loss0).not.toBeCloseTo(ref.loss1, 3); // the two directions differ
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const o = sentLoss(a as tf.Tensor2D, b as tf.Tensor2D, classIds, { gamma3: 10 });
        return tf.add(o.loss0, o.loss1);
      })([gt, st]);
      grads.forEach((x) => expect(x.dataSync().every(Number.isFinite)).toBe(true));
      tf.dispose([gt, st, out.loss0, out.loss1, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('extra negative captions (C > B: earlier batches\' captions, `negative_queue`)', () => {
  it('wordsLoss matches the loop: each image row widens, the caption → image term keeps the B own captions', () => {
    const s = setup(5, false);
    const extra = setup(9, false); // 4 more captions with no image of their own
    const words = [...s.words, ...extra.words.slice(0, 2)];
    const lengths = [...s.lengths, ...extra.lengths.slice(0, 2)];
    const classIds = [1, 2, 1, 3, 2, 7];
    const ref = wordsLossRef(s.regions, words, lengths, classIds, 4, 5, 10);
    const base = wordsLossRef(s.regions, s.words, s.lengths, classIds.slice(0, 4), 4, 5, 10);
    expect(ref.loss0).toBeGreaterThan(base.loss0); // more negatives, harder rows
    expect(ref.loss1).toBeCloseTo(base.loss1, 10); // the columns of images' own captions are unchanged
    const before = tf.memory().numTensors;
    const wordsT = tf.tensor3d(words.flat(2), [6, s.t, s.d]);
    const out = wordsLoss(s.regionsT, wordsT, lengths, classIds, { gamma1: 4, gamma2: 5, gamma3: 10 });
    close(out.loss0.dataSync()[0]!, ref.loss0);
    close(out.loss1.dataSync()[0]!, ref.loss1);
    expect(out.attnMaps).toHaveLength(4); // one per image's own caption
    tf.dispose([wordsT, out.loss0, out.loss1, ...out.attnMaps]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sentLoss on a hand-checked case: one image, its caption and one extra', () => {
    // cos(g, s0) = 1, cos(g, s1) = 0: loss0 = −log(e^{γ3} / (e^{γ3} + 1)) = log(1 + e^{−γ3}); loss1 has one image: 0.
    const g = tf.tensor2d([[1, 0]]);
    const s = tf.tensor2d([[2, 0], [0, 3]]);
    const out = sentLoss(g, s, null, { gamma3: 2 });
    expect(out.loss0.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    expect(out.loss1.dataSync()[0]).toBeCloseTo(0, 6);
    // An extra caption of the image's own class is masked: the loss is as if it were not there.
    const masked = sentLoss(g, s, [4, 4], { gamma3: 2 });
    expect(masked.loss0.dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([g, s, out.loss0, out.loss1, masked.loss0, masked.loss1]);
  });

  it('sentLoss matches the loop with extra captions and class masking', () => {
    const r = rng(13);
    const g = Array.from({ length: 3 }, () => randArr(r, 6));
    const s = Array.from({ length: 7 }, () => randArr(r, 6));
    const classIds = [0, 5, 0, 5, 2, 0, 9];
    const ref = sentLossRef(g, s, classIds, 10);
    const gt = tf.tensor2d(g);
    const st = tf.tensor2d(s);
    const out = sentLoss(gt, st, classIds, { gamma3: 10 });
    close(out.loss0.dataSync()[0]!, ref.loss0);
    close(out.loss1.dataSync()[0]!, ref.loss1);
    tf.dispose([gt, st, out.loss0, out.loss1]);
  });

  it('refuses fewer captions than images', () => {
    const s = setup(5, false);
    const wordsT = tf.tensor3d(s.words.slice(0, 3).flat(2), [3, s.t, s.d]);
    expect(() => wordsLoss(s.regionsT, wordsT, s.lengths.slice(0, 3), null, { gamma1: 4, gamma2: 5, gamma3: 10 })).toThrow(/regions/);
    wordsT.dispose();
  });
});
