import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bce } from '../../../runtime/losses/bce.js';
import { discriminatorLoss, generatorAdvLoss, mismatchedPairs } from '../../../runtime/losses/gan.js';
import { bceRef, rng } from './reference.js';

// float32 vs float64 loops; the terms are O(1): absolute tolerance 1e-5.
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b)));
const probs = (r: () => number, n: number) => Array.from({ length: n }, () => 0.02 + 0.96 * r());
const val = (t: tf.Tensor) => t.dataSync()[0]!;

describe('bce', () => {
  it('matches nn.BCELoss on random probabilities and tensor targets', () => {
    const r = rng(1);
    const p = probs(r, 7);
    const t = [1, 0, 1, 1, 0, 0, 1];
    tf.tidy(() => {
      close(val(bce(tf.tensor1d(p), tf.tensor1d(t))), bceRef(p, t));
      close(val(bce(tf.tensor1d(p), 1)), bceRef(p, 1));
      close(val(bce(tf.tensor1d(p), 0)), bceRef(p, 0));
    });
  });

  it('clamps the log at −100 and keeps the gradient finite at saturated outputs', () => {
    tf.tidy(() => {
      const p = tf.tensor1d([0, 1, 0.5]);
      expect(val(bce(p, 1))).toBeCloseTo((100 + 0 + Math.log(2)) / 3, 4);
      const g = tf.grad((x: tf.Tensor) => bce(x, 1))(p).dataSync();
      expect(Array.from(g).every(Number.isFinite)).toBe(true);
      // PyTorch: (p − t) / max(p(1 − p), 1e-12) / N
      expect(g[0]).toBeCloseTo(-1 / 1e-12 / 3, -6);
      expect(g[2]).toBeCloseTo(-0.5 / 0.25 / 3, 5);
    });
  });
});

describe('discriminatorLoss', () => {
  const r = rng(5);
  const B = 6;
  const [rc, fc, ru, fu] = [probs(r, B), probs(r, B), probs(r, B), probs(r, B)];
  const wc = probs(r, B - 1);

  it('weights the terms /2 and /3 with the unconditional head', () => {
    const before = tf.memory().numTensors;
    const ins = [rc, fc, wc, ru, fu].map((a) => tf.tensor1d(a));
    const out = discriminatorLoss({ realCond: ins[0]!, fakeCond: ins[1]!, wrongCond: ins[2]!, realUncond: ins[3]!, fakeUncond: ins[4]! });
    const want = (bceRef(ru, 1) + bceRef(rc, 1)) / 2 + (bceRef(fu, 0) + bceRef(fc, 0) + bceRef(wc, 0)) / 3;
    close(val(out.loss), want);
    close(val(out.condWrong), bceRef(wc, 0));
    close(val(out.uncondFake!), bceRef(fu, 0));
    tf.dispose([...ins, ...Object.values(out)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is cond_real + (cond_fake + cond_wrong)/2 without it', () => {
    tf.tidy(() => {
      const out = discriminatorLoss({ realCond: tf.tensor1d(rc), fakeCond: tf.tensor1d(fc), wrongCond: tf.tensor1d(wc) });
      close(val(out.loss), bceRef(rc, 1) + (bceRef(fc, 0) + bceRef(wc, 0)) / 2);
      expect(out.uncondReal).toBeUndefined();
    });
  });

  it('multiplies each term by its weight inside the averages, and all-1 weights are the original', () => {
    tf.tidy(() => {
      const ins = { realCond: tf.tensor1d(rc), fakeCond: tf.tensor1d(fc), wrongCond: tf.tensor1d(wc), realUncond: tf.tensor1d(ru), fakeUncond: tf.tensor1d(fu) };
      const w = { conditional: 0.5, unconditional: 3, mismatched: 2 };
      const out = discriminatorLoss(ins, w);
      const want = (3 * bceRef(ru, 1) + 0.5 * bceRef(rc, 1)) / 2 + (3 * bceRef(fu, 0) + 0.5 * bceRef(fc, 0) + 2 * bceRef(wc, 0)) / 3;
      close(val(out.loss), want);
      // The returned terms stay unweighted: the logs read the same whatever the weights.
      close(val(out.condWrong), bceRef(wc, 0));
      expect(val(discriminatorLoss(ins, { conditional: 1, unconditional: 1, mismatched: 1 }).loss)).toBe(val(discriminatorLoss(ins).loss));
      const noU = discriminatorLoss({ realCond: ins.realCond, fakeCond: ins.fakeCond, wrongCond: ins.wrongCond }, { conditional: 1, unconditional: 1, mismatched: 4 });
      close(val(noU.loss), bceRef(rc, 1) + (bceRef(fc, 0) + 4 * bceRef(wc, 0)) / 2);
    });
  });

  it('rejects only one unconditional output', () => {
    tf.tidy(() => {
      const x = tf.tensor1d(rc);
      expect(() => discriminatorLoss({ realCond: x, fakeCond: x, wrongCond: x, realUncond: x })).toThrow(/both/);
    });
  });
});

describe('mismatchedPairs', () => {
  it('pairs real image k with caption k+1', () => {
    tf.tidy(() => {
      const img = tf.tensor4d([0, 1, 2, 3], [4, 1, 1, 1]);
      const sent = tf.tensor2d([10, 11, 12, 13], [4, 1]);
      const { image, sentence } = mismatchedPairs(img, sent);
      expect(Array.from(image.dataSync())).toEqual([0, 1, 2]);
      expect(Array.from(sentence.dataSync())).toEqual([11, 12, 13]);
    });
  });
});

describe('generatorAdvLoss', () => {
  it('sums uncond + cond BCE against 1 over stages, optionally halved', () => {
    const r = rng(9);
    const st = [0, 1, 2].map(() => ({ c: probs(r, 4), u: probs(r, 4) }));
    const want = st.reduce((s, x) => s + bceRef(x.u, 1) + bceRef(x.c, 1), 0);
    tf.tidy(() => {
      const stages = st.map((x) => ({ fakeCond: tf.tensor1d(x.c), fakeUncond: tf.tensor1d(x.u) }));
      close(val(generatorAdvLoss(stages).loss), want);
      close(val(generatorAdvLoss(stages, { paperHalf: true }).loss), want / 2);
      close(val(generatorAdvLoss([{ fakeCond: stages[0]!.fakeCond }]).loss), bceRef(st[0]!.c, 1));
      // Weights: cond and uncond each times theirs; mismatched is D's only and changes nothing here.
      const weights = { conditional: 2, unconditional: 0.25, mismatched: 7 };
      const wantW = st.reduce((s, x) => s + 0.25 * bceRef(x.u, 1) + 2 * bceRef(x.c, 1), 0);
      close(val(generatorAdvLoss(stages, { weights }).loss), wantW);
    });
  });
});
