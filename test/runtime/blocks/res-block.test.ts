import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ResBlock } from '../../../runtime/blocks/res-block.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Rng } from '../../../runtime/util/rng.js';
import { expectClose, randn } from './util.js';

describe('ResBlock', () => {
  it('is conv→BN→GLU→conv→BN plus the input; keys block.{0,1,3,4}', () => {
    const rb = new ResBlock({ channels: 2 });
    initLikeAttnGAN(rb, new Rng(1));
    expect(rb.namedParameterShapes().map(([n]) => n)).toEqual([
      'block.0.weight',
      'block.1.weight',
      'block.1.bias',
      'block.3.weight',
      'block.4.weight',
      'block.4.bias',
    ]);
    // Put non-trivial running stats in, then compare eval mode against the explicit formula.
    rb.bn1.runningMean.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
    rb.bn1.runningVar.assign(tf.tensor1d([1.5, 0.5, 2, 1]));
    const x = randn([2, 3, 3, 2], 2) as tf.Tensor4D;
    const bnEval = (t: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.add(tf.mul(tf.div(tf.sub(t, m), tf.sqrt(tf.add(v, 1e-5))), g), b);
    const want = tf.tidy(() => {
      const c1 = tf.conv2d(x, rb.conv1.weight as tf.Tensor4D, 1, 'same');
      const b1 = bnEval(c1, rb.bn1.runningMean, rb.bn1.runningVar, rb.bn1.weight, rb.bn1.bias);
      const [v, g] = tf.split(b1, 2, -1);
      const h = tf.mul(v!, tf.sigmoid(g!)) as tf.Tensor4D;
      const c2 = tf.conv2d(h, rb.conv2.weight as tf.Tensor4D, 1, 'same');
      return tf.add(bnEval(c2, rb.bn2.runningMean, rb.bn2.runningVar, rb.bn2.weight, rb.bn2.bias), x);
    });
    const y = rb.apply(x, false);
    expectClose(y, want, 1e-5);
    tf.dispose([x, y, want]);
    rb.dispose();
  });
});
