import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';

/** Which differentiable augmentations run, in this order. */
export type DiffAugmentPolicy = readonly ('translation' | 'cutout')[];

/** The random draws of one call, per image: a shift (dy, dx) and a cutout square's top-left corner. */
export interface DiffAugmentDraws {
  shifts?: readonly (readonly [number, number])[];
  cutouts?: readonly (readonly [number, number])[];
}

/** Shift bound of `translation` for a side of `size` pixels: DiffAugment's int(size · 1/8 + 0.5). */
export function translationShift(size: number): number {
  return Math.trunc(size / 8 + 0.5);
}

/** Side of `cutout`'s square for a side of `size` pixels: DiffAugment's int(size · 1/2 + 0.5). */
export function cutoutSide(size: number): number {
  return Math.trunc(size / 2 + 0.5);
}

/** Draws for a batch of `b` images of side `size`: shifts uniform in [−s, s], cutout corners so the square's centre is uniform over the image. */
export function drawDiffAugment(policy: DiffAugmentPolicy, b: number, size: number, rng: Rng): DiffAugmentDraws {
  const draws: { shifts?: [number, number][]; cutouts?: [number, number][] } = {};
  if (policy.includes('translation')) {
    const s = translationShift(size);
    draws.shifts = Array.from({ length: b }, () => [rng.int(2 * s + 1) - s, rng.int(2 * s + 1) - s] as [number, number]);
  }
  if (policy.includes('cutout')) {
    const c = cutoutSide(size);
    // The official code draws the offset in [0, size + (1 − c mod 2)) and centres the square on it.
    const span = size + (1 - (c % 2));
    draws.cutouts = Array.from({ length: b }, () => [rng.int(span) - Math.trunc(c / 2), rng.int(span) - Math.trunc(c / 2)] as [number, number]);
  }
  return draws;
}

/**
 * DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training") on a
 * batch x [B, H, W, C]: `translation` moves image b by (dy, dx) pixels, filling with zeros (out[y, x] =
 * x[y − dy, x − dx]); `cutout` zeroes the c×c square whose top-left corner is (y0, x0) (clipped at the
 * border). Both are linear in x, so gradients reach the generator through the augmented fakes.
 * Colour augmentations are left out on purpose: the caption names colours.
 */
export function diffAugment(x: tf.Tensor4D, policy: DiffAugmentPolicy, draws: DiffAugmentDraws): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    let y = x;
    if (policy.includes('translation') && draws.shifts) {
      const s = translationShift(Math.max(h, w));
      const padded = tf.pad(y, [[0, 0], [s, s], [s, s], [0, 0]]);
      const parts = draws.shifts.map(([dy, dx], i) => tf.slice(padded, [i, s - dy, s - dx, 0], [1, h, w, c]));
      y = tf.concat(parts, 0) as tf.Tensor4D;
    }
    if (policy.includes('cutout') && draws.cutouts) {
      const side = cutoutSide(Math.max(h, w));
      const mask = new Float32Array(b * h * w);
      mask.fill(1);
      draws.cutouts.forEach(([y0, x0], i) => {
        for (let yy = Math.max(0, y0); yy < Math.min(h, y0 + side); yy++)
          for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + side); xx++) mask[(i * h + yy) * w + xx] = 0;
      });
      y = tf.mul(y, tf.tensor4d(mask, [b, h, w, 1])) as tf.Tensor4D;
    }
    return y;
  });
}

/** A seeded source of DiffAugment draws: one stream per training run, advanced by every call. */
export class DiffAugmenter {
  private readonly rng: Rng;
  constructor(readonly policy: DiffAugmentPolicy, seed: number | string) {
    this.rng = new Rng(`diffaugment:${seed}`);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (this.policy.length === 0) return x;
    return diffAugment(x, this.policy, drawDiffAugment(this.policy, x.shape[0], Math.max(x.shape[1], x.shape[2]), this.rng));
  }
}
