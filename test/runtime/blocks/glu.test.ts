import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { glu } from '../../../runtime/blocks/glu.js';

describe('glu', () => {
  it('first half of the channels is the value, second half the gate', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, -1, -2, 0.5, 6], [1, 1, 2, 4]);
    const y = glu(x);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const want = [1 * s(3), 2 * s(4), -1 * s(0.5), -2 * s(6)];
    const got = await y.data();
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
    tf.dispose([x, y]);
  });

  it('rejects an odd channel count', () => {
    const x = tf.zeros([2, 3]);
    expect(() => glu(x)).toThrow(/even/);
    x.dispose();
  });
});
