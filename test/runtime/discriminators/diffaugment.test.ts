import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DiffAugmenter, cutoutSide, diffAugment, drawDiffAugment, translationShift } from '../../../runtime/discriminators/diffaugment.js';
import { Rng } from '../../../runtime/util/rng.js';

/** A 1-channel image whose pixel (y, x) holds 1 + 10·y + x (so a zero means "filled"). */
function ramp(b: number, h: number, w: number): tf.Tensor4D {
  const v = new Float32Array(b * h * w);
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[(i * h + y) * w + x] = 1 + 10 * y + x + 100 * i;
  return tf.tensor4d(v, [b, h, w, 1]);
}

function grid(t: tf.Tensor, i: number): number[][] {
  const [, h, w] = t.shape as number[];
  const d = t.dataSync();
  return Array.from({ length: h! }, (_, y) => Array.from({ length: w! }, (_, x) => d[(i * h! + y) * w! + x]!));
}

describe('DiffAugment (translation, cutout)', () => {
  it('sizes as the official code: shift int(s/8 + 0.5), cutout int(s/2 + 0.5)', () => {
    expect(translationShift(64)).toBe(8);
    expect(translationShift(32)).toBe(4);
    expect(translationShift(8)).toBe(1);
    expect(cutoutSide(64)).toBe(32);
    expect(cutoutSide(8)).toBe(4);
    expect(cutoutSide(5)).toBe(3);
  });

  it('translation moves each image by its own (dy, dx) and fills with zeros: out[y, x] = x[y − dy, x − dx]', () => {
    const x = ramp(2, 8, 8); // shift bound 1
    const y = diffAugment(x, ['translation'], { shifts: [[1, -1], [0, 0]] });
    const g = grid(y, 0);
    const src = grid(x, 0);
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const sr = r - 1;
        const sc = c + 1;
        expect(g[r]![c]).toBe(sr >= 0 && sr < 8 && sc >= 0 && sc < 8 ? src[sr]![sc]! : 0);
      }
    expect(grid(y, 1)).toEqual(grid(x, 1)); // a zero shift is the identity
    tf.dispose([x, y]);
  });

  it('cutout zeroes the square at its corner, clipped at the border, and nothing else', () => {
    const x = ramp(2, 8, 8); // side 4
    const y = diffAugment(x, ['cutout'], { cutouts: [[1, 2], [-2, 6]] });
    const a = grid(y, 0);
    const b = grid(y, 1);
    let zeros0 = 0;
    let zeros1 = 0;
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        if (a[r]![c] === 0) zeros0++;
        if (b[r]![c] === 0) zeros1++;
        expect(a[r]![c] === 0).toBe(r >= 1 && r < 5 && c >= 2 && c < 6);
        expect(b[r]![c] === 0).toBe(r < 2 && c >= 6);
      }
    expect(zeros0).toBe(16);
    expect(zeros1).toBe(4);
    tf.dispose([x, y]);
  });

  it('is linear: the gradient of sum(aug(x) · g) is the augmentation’s transpose applied to g (mass moves, none is created)', () => {
    const x = ramp(1, 8, 8);
    const draws = { shifts: [[1, 1]] as [number, number][], cutouts: [[0, 0]] as [number, number][] };
    const gx = tf.grad((t: tf.Tensor) => tf.sum(diffAugment(t as tf.Tensor4D, ['translation', 'cutout'], draws)))(x);
    const g = grid(gx, 0);
    // Output pixel (r, c) with r, c ≥ 1 comes from input (r − 1, c − 1); the cutout kills outputs r, c < 4.
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const orow = r + 1;
        const ocol = c + 1;
        const alive = orow < 8 && ocol < 8 && !(orow < 4 && ocol < 4);
        expect(g[r]![c]).toBe(alive ? 1 : 0);
      }
    tf.dispose([x, gx]);
  });

  it('draws are seeded and within bounds; the augmenter repeats for one seed', () => {
    const d = drawDiffAugment(['translation', 'cutout'], 500, 64, new Rng('t'));
    for (const [dy, dx] of d.shifts!) {
      expect(Math.abs(dy)).toBeLessThanOrEqual(8);
      expect(Math.abs(dx)).toBeLessThanOrEqual(8);
    }
    expect(new Set(d.shifts!.map(([a]) => a)).size).toBe(17);
    for (const [y0, x0] of d.cutouts!) {
      expect(y0).toBeGreaterThanOrEqual(-16);
      expect(y0 + 16).toBeLessThan(65);
      expect(x0).toBeGreaterThanOrEqual(-16);
    }
    const x = ramp(3, 16, 16);
    const a = new DiffAugmenter(['translation', 'cutout'], 1).apply(x);
    const b = new DiffAugmenter(['translation', 'cutout'], 1).apply(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(new DiffAugmenter([], 1).apply(x)).toBe(x);
    tf.dispose([x, a, b]);
  });
});
