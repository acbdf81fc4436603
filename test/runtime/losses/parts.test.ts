import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { partLoss } from '../../../runtime/losses/parts.js';

describe('partLoss', () => {
  it('is the soft cross-entropy averaged over regions (hand-checked case)', () => {
    // Two regions, three parts. Region 1: logits (0, ln 2, ln 3) → softmax (1/6, 2/6, 3/6), shares (0, 1, 0):
    // −ln(1/3). Region 2: logits (0, 0, 0) → 1/3 each, shares (0.5, 0, 0.5): −ln(1/3). Mean ln 3.
    const before = tf.memory().numTensors;
    const got = tf.tidy(() =>
      partLoss(tf.tensor4d([0, Math.log(2), Math.log(3), 0, 0, 0], [1, 1, 2, 3]), tf.tensor4d([0, 1, 0, 0.5, 0, 0.5], [1, 1, 2, 3])).dataSync()[0]!,
    );
    expect(got).toBeCloseTo(Math.log(3), 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a split region asks for both parts in proportion: the loss is least when the softmax equals the shares', () => {
    const shares = tf.tensor4d([0.25, 0.75], [1, 1, 1, 2]);
    const at = (p: number) => tf.tidy(() => partLoss(tf.tensor4d([Math.log(p), Math.log(1 - p)], [1, 1, 1, 2]), shares).dataSync()[0]!);
    expect(at(0.25)).toBeLessThan(at(0.2));
    expect(at(0.25)).toBeLessThan(at(0.3));
    // At the optimum it is the entropy of the shares.
    expect(at(0.25)).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
    shares.dispose();
  });

  it('its gradient with respect to the logits is softmax − shares over the number of regions', () => {
    const z = tf.tensor4d([1, -2, 0.5, 0.3, 0.1, -0.4], [1, 2, 1, 3]);
    const q = tf.tensor4d([0.2, 0.3, 0.5, 1, 0, 0], [1, 2, 1, 3]);
    const g = tf.grad((x: tf.Tensor) => partLoss(x as tf.Tensor4D, q))(z);
    const want = tf.div(tf.sub(tf.softmax(z), q), 2);
    const w = want.dataSync();
    g.dataSync().forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThan(1e-6));
    tf.dispose([z, q, g, want]);
  });
});
