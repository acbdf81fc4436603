import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InitStage } from '../../fixtures/oracles/init-stage.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Rng } from '../../../runtime/util/rng.js';
import { randn } from './util.js';

describe('InitStage', () => {
  it('concatenates c before z and lays out the fc output in PyTorch (C,4,4) order', async () => {
    const st = new InitStage({ channels: 16, zDim: 3, cDim: 2 });
    initLikeAttnGAN(st, new Rng(2));
    expect(st.namedParameterShapes().slice(0, 3)).toEqual([
      ['fc.0.weight', [5, 512]],
      ['fc.1.weight', [512]],
      ['fc.1.bias', [512]],
    ]);
    const c = randn([2, 2], 1) as tf.Tensor2D;
    const z = randn([2, 3], 2) as tf.Tensor2D;
    const code = st.code(c, z, false);
    expect(code.shape).toEqual([2, 4, 4, 16]);
    // Reference: flat = GLU(BN_eval(cat(c,z)·W)) with f = ch·16 + y·4 + x
    const flat = tf.tidy(() => {
      const f = tf.matMul(tf.concat([c, z], 1), st.linear.weight);
      const bn = tf.batchNorm(f, st.bn.runningMean, st.bn.runningVar, st.bn.bias, st.bn.weight, 1e-5);
      const [v, g] = tf.split(bn, 2, -1);
      return tf.mul(v!, tf.sigmoid(g!));
    });
    const fd = await flat.data();
    const cd = await code.data();
    for (let b = 0; b < 2; b++)
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 4; x++)
          for (let ch = 0; ch < 16; ch++) {
            expect(cd[((b * 4 + y) * 4 + x) * 16 + ch]).toBeCloseTo(fd[b * 256 + ch * 16 + y * 4 + x]!, 5);
          }
    const h = st.apply(c, z, true);
    expect(h.shape).toEqual([2, 64, 64, 1]);
    tf.dispose([c, z, code, flat, h]);
    st.dispose();
  });
});
