import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { EncodeImageBy16Times, EncodeImageBy4Times, EncodeImageBy8Times } from '../../../runtime/discriminators/index.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Rng } from '../../../runtime/util/rng.js';
import { expectAllGradsNonZero, randn, torchShape } from '../blocks/util.js';

describe('the strided image encoders of the small discriminators', () => {
  it('By4 (16 px D) is the first two convs of encode_image_by_16times: same keys and shapes, [B,S/4,S/4,2ndf]', () => {
    const ndf = 3;
    const by4 = new EncodeImageBy4Times({ ndf });
    const by16 = new EncodeImageBy16Times({ ndf });
    const names = (m: { namedParameterShapes(): Array<[string, number[]]> }) => m.namedParameterShapes().map(([n, s]) => [n, torchShape(s)]);
    // PyTorch's Sequential indices: 0 conv, (1 LeakyReLU), 2 conv, 3 BN.
    expect(names(by4)).toEqual([
      ['0.weight', [ndf, 3, 4, 4]],
      ['2.weight', [2 * ndf, ndf, 4, 4]],
      ['3.weight', [2 * ndf]],
      ['3.bias', [2 * ndf]],
    ]);
    expect(names(by16).slice(0, 4)).toEqual(names(by4));
    const sn = new EncodeImageBy4Times({ ndf, spectralNorm: true });
    expect(sn.namedParameterShapes().map(([n]) => n)).toEqual([
      '0.module.bias', '0.module.weight_u', '0.module.weight_v', '0.module.weight_bar',
      '2.module.bias', '2.module.weight_u', '2.module.weight_v', '2.module.weight_bar',
    ]);
    for (const m of [by4, by16, sn]) m.dispose();
  });

  for (const [Enc, size, ch] of [[EncodeImageBy4Times, 16, 2], [EncodeImageBy8Times, 32, 4]] as const) {
    it(`${Enc.name} on ${size} px: 4×4×${ch}ndf, gradients for all, no leaks`, async () => {
      const ndf = 2;
      const enc = new Enc({ ndf });
      initLikeAttnGAN(enc, new Rng(size));
      const x = randn([2, size, size, 3], `x${size}`) as tf.Tensor4D;
      const base = tf.memory().numTensors;
      const y = enc.apply(x, false);
      expect(y.shape).toEqual([2, 4, 4, ch * ndf]);
      tf.dispose(y);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(enc.apply(x, true))) as tf.Scalar), enc.trainableParameters());
      await expectAllGradsNonZero(grads, enc.namedParameters());
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(base);
      tf.dispose(x);
      enc.dispose();
    });
  }
});
