import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend/index.js';
import { PARTS } from '../../../runtime/data/synthbirds/index.js';
import { Vocabulary } from '../../../runtime/data/vocab.js';
import { LIFT_PARTS, addAttentionBatch, emptyAttentionSums, mergeAttentionSums } from '../../../runtime/eval/attention-metric.js';
import type { PartSegmenter } from '../../../runtime/eval/part-segmenter.js';

const K = PARTS.length;
const WING = PARTS.indexOf('wing');
const BELLY = PARTS.indexOf('belly');
const BG = PARTS.indexOf('background');

/**
 * A stand-in segmenter that "finds" fixed parts on an 8×8 picture: the wing is the top-left 4×4
 * quadrant (a quarter), the belly the bottom-right 2×2 block (a sixteenth); the rest is background.
 */
const fakeSegmenter = {
  predict(images: tf.Tensor4D) {
    const B = images.shape[0];
    const m = new Float32Array(B * 64 * K);
    for (let b = 0; b < B; b++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const part = y < 4 && x < 4 ? WING : y >= 6 && x >= 6 ? BELLY : BG;
      m[((b * 8 + y) * 8 + x) * K + part] = 1;
    }
    return tf.tensor4d(m, [B, 8, 8, K]);
  },
} as unknown as PartSegmenter;

const vocab = new Vocabulary(['<end>', 'a', 'belly', 'bird', 'blue', 'has', 'red', 'this', 'wings', 'yellow']);
const ids = (s: string) => vocab.encode(s.split(' ')).ids;

/** Attention [1, 4, 4, T] on a 4×4 grid (the 8×8 masks pool 2:1) from a function of (cell, word). */
function attnOf(T: number, f: (y: number, x: number, t: number) => number): tf.Tensor4D {
  const a = new Float32Array(16 * T);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let t = 0; t < T; t++) a[(y * 4 + x) * T + t] = f(y, x, t);
  return tf.tensor4d(a, [1, 4, 4, T]);
}

beforeAll(async () => {
  await initBackend();
});

describe('addAttentionBatch', () => {
  const images = () => tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  afterAll(() => tf.disposeVariables());

  it('scores each colour word against the part it names: lift 4 inside the wing quadrant, 16 inside the belly block, 1 when spread', () => {
    // "this bird has red wings and a yellow belly" minus "and": red (3) → wing, yellow (6) → belly
    const caption = ids('this bird has red wings a yellow belly');
    expect(vocab.decode(caption)).toHaveLength(8);
    const attn = attnOf(8, (y, x, t) => (t === 3 ? (y < 2 && x < 2 ? 1 : 0) : t === 6 ? (y === 3 && x === 3 ? 1 : 0) : 1 / 16));
    const sums = emptyAttentionSums();
    const im = images();
    addAttentionBatch(sums, attn, im, [caption], vocab, fakeSegmenter);
    expect(sums.lift.count).toEqual([1, 1, 0]);
    expect(sums.lift.sum[0]).toBeCloseTo(4, 5);
    expect(sums.lift.sum[1]).toBeCloseTo(16, 5);
    expect(sums.ceiling[0]).toBeCloseTo(4, 5);
    expect(sums.ceiling[1]).toBeCloseTo(16, 5);

    const spread = emptyAttentionSums();
    const flat = attnOf(8, () => 1 / 16);
    addAttentionBatch(spread, flat, im, [caption], vocab, fakeSegmenter);
    expect(spread.lift.sum[0]).toBeCloseTo(1, 5);
    expect(spread.lift.sum[1]).toBeCloseTo(1, 5);

    const merged = mergeAttentionSums(sums, spread);
    expect(merged.lift.count).toEqual([2, 2, 0]);
    expect(merged.lift.sum[0]).toBeCloseTo(5, 5);
    tf.dispose([attn, flat, im]);
  });

  it('ignores words that name no part, words beyond the attention map, and looking at the wrong part', () => {
    const caption = ids('this blue bird has red wings');
    // "blue" attaches to "bird" (no colour part); red (4) → wing, but it looks at the belly block.
    const attn = attnOf(6, (y, x, t) => (t === 4 ? (y === 3 && x === 3 ? 1 : 0) : 1 / 16));
    const sums = emptyAttentionSums();
    const im = images();
    addAttentionBatch(sums, attn, im, [caption], vocab, fakeSegmenter);
    expect(sums.lift.count).toEqual([1, 0, 0]);
    expect(sums.lift.sum[0]).toBe(0);
    // A map cut to the first 4 words never sees "red" (index 4).
    const short = attnOf(4, () => 1 / 16);
    const none = emptyAttentionSums();
    addAttentionBatch(none, short, im, [caption], vocab, fakeSegmenter);
    expect(none.lift.count).toEqual([0, 0, 0]);
    tf.dispose([attn, short, im]);
  });

  it('skips a part the segmenter does not find (crown: no pixel)', () => {
    const v = new Vocabulary(['<end>', 'crown', 'red', 'a']);
    const caption = v.encode(['a', 'red', 'crown']).ids;
    const attn = attnOf(3, () => 1 / 16);
    const sums = emptyAttentionSums();
    const im = images();
    addAttentionBatch(sums, attn, im, [caption], v, fakeSegmenter);
    expect(sums.lift.count).toEqual([0, 0, 0]);
    expect(sums.skipped).toBe(1);
    expect(LIFT_PARTS).toEqual(['wing', 'belly', 'crown']);
    tf.dispose([attn, im]);
  });
});
