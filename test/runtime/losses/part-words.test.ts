import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { partWordsLoss } from '../../../runtime/losses/part-words.js';
import { randn, rng } from './reference.js';

/** float64 loops over the formula of runtime/losses/part-words.ts, written out the slow way. */
function reference(regions: number[][][], logits: number[][][], words: number[][][], parts: number[][], classIds: number[] | null, g2: number, g3: number) {
  const B = regions.length, C = words.length, K = logits[0]![0]!.length, D = regions[0]![0]!.length;
  const softmax = (z: number[]) => { const m = Math.max(...z); const e = z.map((v) => Math.exp(v - m)); const s = e.reduce((a, v) => a + v, 0); return e.map((v) => v / s); };
  const cos = (a: number[], b: number[]) => { let d = 0, na = 0, nb = 0; for (let i = 0; i < D; i++) { d += a[i]! * b[i]!; na += a[i]! ** 2; nb += b[i]! ** 2; } return d / Math.sqrt(na * nb); };
  const feature = (j: number, k: number) => {
    const f = new Array<number>(D).fill(0); let mass = 1e-6;
    regions[j]!.forEach((v, r) => { const p = softmax(logits[j]![r]!)[k]!; mass += p; v.forEach((x, i) => (f[i]! += p * x)); });
    return f.map((x) => x / mass);
  };
  const S = Array.from({ length: B }, (_, j) => Array.from({ length: C }, (_, i) => {
    const named = parts[i]!.map((k, t) => [k, t] as const).filter(([k]) => k >= 0);
    if (named.length === 0) return 0;
    return g3 * Math.log(named.reduce((a, [k, t]) => a + Math.exp(g2 * cos(feature(j, k), words[i]![t]!)), 0));
  }));
  const masked = (j: number, i: number) => classIds !== null && i !== j && classIds[i] === classIds[j];
  const ce = (row: number[], own: number, skip: (x: number) => boolean) => {
    const ok = row.map((v, x) => (skip(x) ? -Infinity : v)); const m = Math.max(...ok);
    return -(ok[own]! - m - Math.log(ok.reduce((a, v) => a + (v === -Infinity ? 0 : Math.exp(v - m)), 0)));
  };
  let loss0 = 0, loss1 = 0;
  for (let j = 0; j < B; j++) loss0 += ce(S[j]!, j, (i) => masked(j, i)) / B;
  for (let i = 0; i < B; i++) loss1 += ce(S.map((r) => r[i]!), i, (j) => masked(j, i)) / B;
  return { loss0, loss1 };
}

const run = (regions: number[][][], logits: number[][][], words: number[][][], parts: number[][], classIds: number[] | null, g2: number, g3: number, hw: [number, number]) =>
  tf.tidy(() => {
    const [B, N, D] = [regions.length, regions[0]!.length, regions[0]![0]!.length];
    const K = logits[0]![0]!.length, [C, T] = [words.length, words[0]!.length];
    const l = partWordsLoss(tf.tensor4d(regions.flat(2), [B, hw[0], hw[1], D]), tf.tensor4d(logits.flat(2), [B, hw[0], hw[1], K]), tf.tensor3d(words.flat(2), [C, T, D]), Int32Array.from(parts.flat()), classIds, { gamma2: g2, gamma3: g3 });
    void N;
    return [l.loss0.dataSync()[0]!, l.loss1.dataSync()[0]!];
  });

describe('partWordsLoss', () => {
  it('scores each word against the part it names, so a colour on another part does not count (hand-checked)', () => {
    // Two regions per image, each clearly one part (logits ±30). Image 0 shows [1, 0] on part 0 and
    // [0, 1] on part 1; image 1 the other way round. Caption 0's only word is [1, 0], caption 1's [0, 1].
    const regions = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]];
    const logits = [[[30, -30], [-30, 30]], [[30, -30], [-30, 30]]];
    const words = [[[1, 0]], [[0, 1]]];
    // Both words name part 0: image j's part 0 matches caption j exactly (cos 1) and the other not at
    // all (cos 0), so S = γ3·γ2·I and each cross-entropy is log(1 + e^−5) with γ2 = 5, γ3 = 1.
    const [a0, a1] = run(regions, logits, words, [[0], [0]], null, 5, 1, [1, 2]);
    expect(a0).toBeCloseTo(Math.log(1 + Math.exp(-5)), 5);
    expect(a1).toBeCloseTo(Math.log(1 + Math.exp(-5)), 5);
    // Caption 0's word now names part 1, where image 0 shows [0, 1]: the [1, 0] it has on part 0 no
    // longer counts, and image 1 (whose part 1 is [1, 0]) matches caption 0 instead.
    // S = [[0, 0], [5, 5]]: rows log 2 and log 2; columns log(1 + e^5) and log(1 + e^−5).
    const [b0, b1] = run(regions, logits, words, [[1], [0]], null, 5, 1, [1, 2]);
    expect(b0).toBeCloseTo(Math.log(2), 5);
    expect(b1).toBeCloseTo((Math.log(1 + Math.exp(5)) + Math.log(1 + Math.exp(-5))) / 2, 4);
  });

  it('a caption that names no part scores 0 against every image (a constant)', () => {
    const regions = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]];
    const logits = [[[30, -30], [-30, 30]], [[30, -30], [-30, 30]]];
    const words = [[[1, 0], [0, 0]], [[0, 1], [0, 0]]];
    // Caption 1 names nothing: S = [[5, 0], [0, 0]] (γ2 5, γ3 1).
    const [l0, l1] = run(regions, logits, words, [[0, -1], [-1, -1]], null, 5, 1, [1, 2]);
    expect(l0).toBeCloseTo((Math.log(1 + Math.exp(-5)) + Math.log(2)) / 2, 5);
    expect(l1).toBeCloseTo((Math.log(1 + Math.exp(-5)) + Math.log(2)) / 2, 5);
  });

  for (const classIds of [null, [1, 2, 1, 3, 4]]) {
    it(`matches float64 loops on random features (${classIds ? 'same-class pairs masked, an extra negative' : 'no masking'})`, () => {
      const r = rng(7);
      const [B, C, T, N, D, K] = [4, classIds ? 5 : 4, 4, 6, 5, 3];
      const regions = Array.from({ length: B }, () => Array.from({ length: N }, () => Array.from({ length: D }, () => randn(r))));
      const logits = Array.from({ length: B }, () => Array.from({ length: N }, () => Array.from({ length: K }, () => 2 * randn(r))));
      const parts = [[0, -1, 2, 1], [-1, 1, -1, -1], [2, 2, -1, -1], [-1, -1, -1, -1], [1, 0, -1, -1]].slice(0, C);
      // Padding (and words that name no part) may be zero vectors: the norm stays finite.
      const words = parts.map((ps) => ps.map((k) => (k < 0 && r() < 0.5 ? new Array<number>(D).fill(0) : Array.from({ length: D }, () => randn(r)))));
      const want = reference(regions, logits, words, parts, classIds, 5, 10);
      const [l0, l1] = run(regions, logits, words, parts, classIds, 5, 10, [2, 3]);
      expect(Math.abs(l0 - want.loss0)).toBeLessThan(1e-4 * Math.max(1, want.loss0));
      expect(Math.abs(l1 - want.loss1)).toBeLessThan(1e-4 * Math.max(1, want.loss1));
    });
  }

  it('sends gradient into the region features only: the part head\'s reading is detached; no leaks', () => {
    const r = rng(3);
    const regions = tf.tensor4d(Array.from({ length: 2 * 4 * 3 }, () => randn(r)), [2, 2, 2, 3]);
    const logits = tf.tensor4d(Array.from({ length: 2 * 4 * 2 }, () => randn(r)), [2, 2, 2, 2]);
    const words = tf.tensor3d(Array.from({ length: 2 * 2 * 3 }, () => randn(r)), [2, 2, 3]);
    const parts = Int32Array.from([0, 1, 1, -1]);
    const before = tf.memory().numTensors;
    const g = tf.grads((x: tf.Tensor, z: tf.Tensor) => {
      const l = partWordsLoss(x as tf.Tensor4D, z as tf.Tensor4D, words, parts, null, { gamma2: 5, gamma3: 10 });
      return tf.add(l.loss0, l.loss1);
    })([regions, logits]);
    expect(tf.tidy(() => tf.sum(tf.abs(g[0]!)).dataSync()[0]!)).toBeGreaterThan(1e-4);
    expect(Array.from(g[1]!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => partWordsLoss(regions, logits, words, Int32Array.from([0, 1, 5, -1]), null, { gamma2: 5, gamma3: 10 })).toThrow(/names part 5; the encoder has 2/);
    expect(() => partWordsLoss(regions, logits, words, undefined as unknown as Int32Array, null, { gamma2: 5, gamma3: 10 })).toThrow(/carries no word parts/);
    tf.dispose([regions, logits, words]);
  });
});
