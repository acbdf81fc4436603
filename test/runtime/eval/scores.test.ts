import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InceptionScoreSums } from '../../../runtime/eval/inception-score.js';
import { RPrecisionSums, mismatchedCaptions, rankHits } from '../../../runtime/eval/rprecision.js';
import { Rng } from '../../../runtime/util/rng.js';

function softmaxRows(logits: number[][]): Float64Array {
  return Float64Array.from(logits.flatMap((l) => {
    const m = Math.max(...l);
    const e = l.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((x) => x / s);
  }));
}

describe('Inception Score', () => {
  const K = 10;
  const idx = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('confident and diverse predictions score ≈ classes; one class or uniform predictions score 1', () => {
    const diverse = new InceptionScoreSums(K, 1).add(softmaxRows(idx(200).map((i) => idx(K).map((y) => (y === i % K ? 30 : 0)))), idx(200));
    const collapsed = new InceptionScoreSums(K, 2).add(softmaxRows(idx(200).map(() => idx(K).map((y) => (y === 3 ? 30 : 0)))), idx(200));
    const uniform = new InceptionScoreSums(K, 2).add(softmaxRows(idx(200).map(() => new Array(K).fill(0))), idx(200));
    expect(diverse.score().mean).toBeCloseTo(K, 3);
    expect(collapsed.score().mean).toBeCloseTo(1, 6);
    expect(uniform.score().mean).toBeCloseTo(1, 6);
  });

  it('stays within 1 ≤ IS ≤ classes on random predictions, and shards merge', () => {
    const rng = Rng.stream(4);
    const probs = softmaxRows(idx(300).map(() => idx(K).map(() => 4 * rng.next())));
    const whole = new InceptionScoreSums(K, 10).add(probs, idx(300));
    const s = whole.score();
    expect(s.perSplit).toHaveLength(10);
    for (const x of s.perSplit) {
      expect(x).toBeGreaterThanOrEqual(1);
      expect(x).toBeLessThanOrEqual(K);
    }
    const merged = new InceptionScoreSums(K, 10);
    for (let k = 0; k < 3; k++) {
      const mine = idx(300).filter((g) => g % 3 === k);
      const part = new InceptionScoreSums(K, 10).add(Float64Array.from(mine.flatMap((g) => Array.from(probs.subarray(g * K, (g + 1) * K)))), mine);
      merged.merge(InceptionScoreSums.fromJSON(JSON.parse(JSON.stringify(part))));
    }
    expect(merged.score().mean).toBeCloseTo(s.mean, 10);
    expect(merged.score().std).toBeCloseTo(s.std, 10);
  });
});

describe('R-precision', () => {
  const B = 200;
  const C = 100;
  const D = 16;

  /** Caption features for B images: each image's own caption equals its feature; candidates 1.. are other images' captions. */
  function toy(shuffled: boolean) {
    const rng = Rng.stream(7);
    const feats = Array.from({ length: B }, () => Array.from({ length: D }, () => rng.next() - 0.5));
    const owner = Array.from({ length: B }, (_, b) => (shuffled ? Math.floor(rng.next() * B) : b));
    const cand = feats.flatMap((_, b) => {
      const others = Array.from({ length: C - 1 }, () => feats[(b + 1 + Math.floor(rng.next() * (B - 1))) % B]!); // never image b itself
      return [feats[owner[b]!]!, ...others];
    });
    return { img: tf.tensor2d(feats), cand: tf.tensor3d(cand.flat(), [B, C, D]) };
  }

  it('identical encoders (the image feature is its caption feature) → 100 %', () => {
    const { img, cand } = toy(false);
    const before = tf.memory().numTensors;
    const hits = rankHits(img, cand);
    expect(tf.memory().numTensors).toBe(before);
    const s = new RPrecisionSums({ candidates: C, folds: 10 }).add(hits, hits.map((_, i) => i)).score();
    tf.dispose([img, cand]);
    expect(s.mean).toBe(100);
    expect(s.std).toBe(0);
    expect(s.perFold).toHaveLength(10);
  });

  it('shuffled pairs → about 1 / candidates', () => {
    let hits = 0;
    let n = 0;
    for (let rep = 0; rep < 5; rep++) {
      const { img, cand } = toy(true);
      // Shuffled: the true slot holds a random other caption, so it wins only by chance.
      const h = rankHits(img, cand);
      tf.dispose([img, cand]);
      hits += h.filter(Boolean).length;
      n += h.length;
    }
    expect(hits / n).toBeLessThan(0.04);
  });

  it('mismatched captions come from other classes only, deterministically per seed', () => {
    const pool = Array.from({ length: 30 }, (_, i) => ({ classId: i % 3, captions: 5 }));
    const a = mismatchedCaptions(pool, 1, 99, Rng.stream(3));
    expect(a).toHaveLength(99);
    expect(a.every((m) => pool[m.image]!.classId !== 1 && m.caption >= 0 && m.caption < 5)).toBe(true);
    expect(mismatchedCaptions(pool, 1, 99, Rng.stream(3))).toEqual(a);
    expect(() => mismatchedCaptions([{ classId: 1, captions: 1 }], 1, 3, Rng.stream(1))).toThrow(/another class/);
  });

  it('sums merge across shards into the same folds', () => {
    const hits = Array.from({ length: 90 }, (_, i) => (i * 7) % 5 < 2);
    const whole = new RPrecisionSums({ candidates: 100, folds: 10 }).add(hits, hits.map((_, i) => i));
    const merged = new RPrecisionSums({ candidates: 100, folds: 10 });
    for (let k = 0; k < 3; k++) {
      const g = hits.map((_, i) => i).filter((i) => i % 3 === k);
      merged.merge(RPrecisionSums.fromJSON(JSON.parse(JSON.stringify(new RPrecisionSums({ candidates: 100, folds: 10 }).add(g.map((i) => hits[i]!), g)))));
    }
    expect(merged.score()).toEqual(whole.score());
    expect(() => merged.merge(new RPrecisionSums({ candidates: 20, folds: 10 }))).toThrow(/protocols differ/);
  });
});
