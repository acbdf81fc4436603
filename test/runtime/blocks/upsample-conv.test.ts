import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { foldUpsampleKernel, upsampleConv3x3, upsampleConvOptions } from '../../../runtime/blocks/upsample-conv.js';
import { maxAbsDiff, randn } from './util.js';

/** Equal to float32 rounding: max |a − b| ≤ rel · max |b|. */
function expectRelClose(a: tf.Tensor, b: tf.Tensor, rel: number): void {
  expect(a.shape).toEqual(b.shape);
  const scale = tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0]!);
  expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(rel * scale);
}

/** conv3x3(upsample×2(x)), padding 1, by JS loops in float64: the definition. */
function reference(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const [b, h, wd, cin] = x.shape;
  const cout = w.shape[3];
  const xs = x.dataSync();
  const ws = w.dataSync();
  const H = 2 * h;
  const W = 2 * wd;
  const out = new Float32Array(b * H * W * cout);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < H; y++)
      for (let xx = 0; xx < W; xx++)
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const uy = y + dy;
              const ux = xx + dx;
              if (uy < 0 || uy >= H || ux < 0 || ux >= W) continue;
              for (let i = 0; i < cin; i++) s += xs[((n * h + (uy >> 1)) * wd + (ux >> 1)) * cin + i]! * ws[(((dy + 1) * 3 + dx + 1) * cin + i) * cout + o]!;
            }
          out[((n * H + y) * W + xx) * cout + o] = s;
        }
  return tf.tensor4d(out, [b, H, W, cout]);
}

describe('upsampleConv3x3', () => {
  it('folds a 3×3 kernel into the 4×4 transposed-conv kernel [W2, W1+W2, W0+W1, W0] per axis', () => {
    // One input and one output channel, 3×3 taps 1..9 (row-major): the fold of rows then columns.
    const w = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1]);
    const k = foldUpsampleKernel(w);
    expect(k.shape).toEqual([4, 4, 1, 1]);
    // rows: [r2, r1+r2, r0+r1, r0] with r0 = [1,2,3], r1 = [4,5,6], r2 = [7,8,9]; then columns alike
    const rows = [[7, 8, 9], [11, 13, 15], [5, 7, 9], [1, 2, 3]];
    const want = rows.flatMap(([a, b, c]) => [c!, b! + c!, a! + b!, a!]);
    expect(Array.from(k.dataSync())).toEqual(want);
    tf.dispose([w, k]);
  });

  it('both plans equal the definition, forward and gradients (odd sizes, batch 2)', () => {
    const x = randn([2, 5, 3, 4], 11) as tf.Tensor4D;
    const w = randn([3, 3, 4, 6], 12) as tf.Tensor4D;
    const dy = randn([2, 10, 6, 6], 13) as tf.Tensor4D;
    const want = reference(x, w);
    const grads: tf.Tensor[][] = [];
    for (const plan of ['resize-conv', 'transposed'] as const) {
      upsampleConvOptions.plan = plan;
      const y = upsampleConv3x3(x, w);
      expectRelClose(y, want, 1e-6);
      grads.push(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(upsampleConv3x3(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]));
      y.dispose();
    }
    upsampleConvOptions.plan = 'auto';
    // The gradients of one linear map: equal between the plans.
    expectRelClose(grads[1]![0]!, grads[0]![0]!, 1e-6);
    expectRelClose(grads[1]![1]!, grads[0]![1]!, 1e-6);
    tf.dispose([x, w, dy, want, ...grads.flat()]);
  });
});
