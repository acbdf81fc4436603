import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Module } from '../../../runtime/nn/module.js';
import { Rng } from '../../../runtime/util/rng.js';
import { expectAllGradsNonZero, randn, torchShape } from '../blocks/util.js';

const bn = (name: string, c: number): Array<[string, number[]]> => [
  [`${name}.weight`, [c]],
  [`${name}.bias`, [c]],
];

/** §12.6 key lists (PyTorch shapes), parameters only. */
function expectedKeys(size: 64 | 128 | 256, ndf: number): Array<[string, number[]]> {
  const keys: Array<[string, number[]]> = [
    ['img_code_s16.0.weight', [ndf, 3, 4, 4]],
    ['img_code_s16.2.weight', [2 * ndf, ndf, 4, 4]],
    ...bn('img_code_s16.3', 2 * ndf),
    ['img_code_s16.5.weight', [4 * ndf, 2 * ndf, 4, 4]],
    ...bn('img_code_s16.6', 4 * ndf),
    ['img_code_s16.8.weight', [8 * ndf, 4 * ndf, 4, 4]],
    ...bn('img_code_s16.9', 8 * ndf),
  ];
  if (size === 128) {
    keys.push(['img_code_s32.0.weight', [16 * ndf, 8 * ndf, 4, 4]], ...bn('img_code_s32.1', 16 * ndf));
    keys.push(['img_code_s32_1.0.weight', [8 * ndf, 16 * ndf, 3, 3]], ...bn('img_code_s32_1.1', 8 * ndf));
  }
  if (size === 256) {
    keys.push(['img_code_s32.0.weight', [16 * ndf, 8 * ndf, 4, 4]], ...bn('img_code_s32.1', 16 * ndf));
    keys.push(['img_code_s64.0.weight', [32 * ndf, 16 * ndf, 4, 4]], ...bn('img_code_s64.1', 32 * ndf));
    keys.push(['img_code_s64_1.0.weight', [16 * ndf, 32 * ndf, 3, 3]], ...bn('img_code_s64_1.1', 16 * ndf));
    keys.push(['img_code_s64_2.0.weight', [8 * ndf, 16 * ndf, 3, 3]], ...bn('img_code_s64_2.1', 8 * ndf));
  }
  keys.push(['UNCOND_DNET.outlogits.0.weight', [1, 8 * ndf, 4, 4]], ['UNCOND_DNET.outlogits.0.bias', [1]]);
  keys.push(
    ['COND_DNET.jointConv.0.weight', [8 * ndf, 8 * ndf + 256, 3, 3]],
    ...bn('COND_DNET.jointConv.1', 8 * ndf),
    ['COND_DNET.outlogits.0.weight', [1, 8 * ndf, 4, 4]],
    ['COND_DNET.outlogits.0.bias', [1]],
  );
  return keys;
}

describe('DNet', () => {
  for (const [size, count] of [
    [64, 6_313_730],
    [128, 19_424_002],
    [256, 71_858_946],
  ] as const) {
    it(`D${size} birds: ${count} params, names and shapes = §12.6`, () => {
      const d = Module.shapeOnly(() => new DNet({ size, ndf: 64 }));
      expect(d.parameterCount()).toBe(count);
      expect(d.namedParameterShapes().map(([n, s]) => [n, torchShape(s)])).toEqual(expectedKeys(size, 64));
    });
  }

  it('COCO (ndf 96) sizes, AttnDCGAN head choice and power-of-two generalisation', () => {
    expect([64, 128, 256].map((size) => Module.shapeOnly(() => new DNet({ size, ndf: 96 })).parameterCount())).toEqual([
      13_304_450, 42_800_258, 160_774_274,
    ]);
    const dc = Module.shapeOnly(() => new DNet({ size: 256, ndf: 64, unconditional: false }));
    expect(dc.namedParameterShapes().some(([n]) => n.startsWith('UNCOND_DNET'))).toBe(false);
    const d512 = Module.shapeOnly(() => new DNet({ size: 512, ndf: 4 }));
    expect(d512.namedParameterShapes().map(([n]) => n.split('.')[0]).filter((n, i, a) => a.indexOf(n) === i)).toEqual([
      'img_code_s16',
      'img_code_s32',
      'img_code_s64',
      'img_code_s128',
      'img_code_s128_1',
      'img_code_s128_2',
      'img_code_s128_3',
      'UNCOND_DNET',
      'COND_DNET',
    ]);
    expect(() => new DNet({ size: 96, ndf: 4 })).toThrow();
  });

  for (const size of [64, 128, 256]) {
    it(`tiny D${size}: 4×4×8ndf code, [B] probabilities, gradients for all, no leaks`, async () => {
      const ndf = 2;
      const d = new DNet({ size, ndf, nef: 6 });
      initLikeAttnGAN(d, new Rng(size));
      const x = randn([2, size, size, 3], `x${size}`) as tf.Tensor4D;
      const sent = randn([2, 6], 'sent') as tf.Tensor2D;
      const base = tf.memory().numTensors;
      const code = d.apply(x, false);
      expect(code.shape).toEqual([2, 4, 4, 8 * ndf]);
      const pc = d.COND_DNET!.apply(code, sent, false);
      const pu = d.UNCOND_DNET!.apply(code);
      expect(pc.shape).toEqual([2]);
      expect(pu.shape).toEqual([2]);
      for (const p of [...(await pc.data()), ...(await pu.data())]) expect(p > 0 && p < 1).toBe(true);
      tf.dispose([code, pc, pu]);
      expect(tf.memory().numTensors).toBe(base);
      const loss = () =>
        tf.tidy(() => {
          const c = d.apply(x, true);
          return tf.add(
            tf.sum(tf.log(d.COND_DNET!.apply(c, sent, true))),
            tf.sum(tf.log(tf.sub(1, d.UNCOND_DNET!.apply(c)))),
          ) as tf.Scalar;
        });
      const { value, grads } = tf.variableGrads(loss, d.trainableParameters());
      await expectAllGradsNonZero(grads, d.namedParameters());
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(base);
      tf.dispose([x, sent]);
      d.dispose();
    });
  }
});
