import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { klLoss } from '../../../runtime/losses/kl.js';
import { klRef, randn, rng } from './reference.js';

describe('klLoss', () => {
  const r = rng(2);
  const mu = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => randn(r)));
  const lv = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => 0.5 * randn(r)));
  for (const reduction of ['mean', 'sum'] as const) {
    it(`matches the formula (${reduction}); tolerance 1e-5 relative`, () => {
      const before = tf.memory().numTensors;
      const want = klRef(mu, lv, reduction);
      const got = tf.tidy(() => klLoss(tf.tensor2d(mu), tf.tensor2d(lv), { reduction }).dataSync()[0]!);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  it('is zero at the prior', () => {
    tf.tidy(() => {
      expect(Math.abs(klLoss(tf.zeros([2, 4]), tf.zeros([2, 4])).dataSync()[0]!)).toBe(0);
    });
  });
});
