import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { UpBlock } from '../../../runtime/blocks/up-block.js';
import { upsampleNearest2x, upsampleOptions } from '../../../runtime/blocks/upsample.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Rng } from '../../../runtime/util/rng.js';
import { expectClose, randn } from './util.js';

/** nearest ×2 by a JS loop: out[2y+a, 2x+b] = in[y, x] */
function upsampleLoop(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const src = x.dataSync();
  const out = new Float32Array(b * 4 * h * w * c);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < 2 * h; y++)
      for (let xx = 0; xx < 2 * w; xx++)
        for (let k = 0; k < c; k++)
          out[((n * 2 * h + y) * 2 * w + xx) * c + k] = src[((n * h + (y >> 1)) * w + (xx >> 1)) * c + k]!;
  return tf.tensor4d(out, [b, 2 * h, 2 * w, c]);
}

describe('upsampleNearest2x', () => {
  it('resize and tile modes both equal the loop (forward)', () => {
    const x = randn([2, 3, 2, 3], 1) as tf.Tensor4D;
    const want = upsampleLoop(x);
    for (const mode of ['resize', 'tile'] as const) {
      upsampleOptions.mode = mode;
      const y = upsampleNearest2x(x);
      expectClose(y, want, 0);
      y.dispose();
    }
    upsampleOptions.mode = 'auto';
    tf.dispose([x, want]);
  });

  it('tile-mode gradient sums each 2×2 block (batch 2)', () => {
    upsampleOptions.mode = 'tile';
    const x = randn([2, 2, 3, 2], 2) as tf.Tensor4D;
    const dy = randn([2, 4, 6, 2], 3) as tf.Tensor4D;
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(upsampleNearest2x(t as tf.Tensor4D), dy)))(x);
    const want = tf.tidy(() => tf.sum(tf.reshape(dy, [2, 2, 2, 3, 2, 2]), [2, 4]));
    expectClose(g, want, 1e-6);
    upsampleOptions.mode = 'auto';
    tf.dispose([x, dy, g, want]);
  });
});

describe('UpBlock', () => {
  it('equals nearest×2 → conv3x3 → BN → GLU composed by hand, and names mirror upBlock', () => {
    const up = new UpBlock({ inChannels: 3, outChannels: 2 });
    initLikeAttnGAN(up, new Rng(5));
    expect(up.namedParameterShapes()).toEqual([
      ['1.weight', [3, 3, 3, 4]],
      ['2.weight', [4]],
      ['2.bias', [4]],
    ]);
    const x = randn([2, 3, 3, 3], 4) as tf.Tensor4D;
    const y = up.apply(x, true);
    const want = tf.tidy(() => {
      const c = tf.conv2d(upsampleLoop(x), up.conv.weight as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(c, [0, 1, 2]);
      const bn = tf.add(tf.mul(tf.div(tf.sub(c, mean), tf.sqrt(tf.add(variance, 1e-5))), up.bn.weight), up.bn.bias);
      const [v, g] = tf.split(bn, 2, -1);
      return tf.mul(v!, tf.sigmoid(g!));
    });
    expect(y.shape).toEqual([2, 6, 6, 2]);
    expectClose(y, want, 1e-5);
    tf.dispose([x, y, want]);
    up.dispose();
  });
});
