import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Module } from '../../../runtime/nn/module.js';
import { Rng } from '../../../runtime/util/rng.js';
import { buildHandGenerator, type HandGeneratorConfig } from '../../fixtures/oracles/hand-generator.js';
import { expectAllGradsNonZero, randn, torchShape } from './util.js';

const bn = (name: string, c: number): Array<[string, number[]]> => [
  [`${name}.weight`, [c]],
  [`${name}.bias`, [c]],
];

/** §12.1 / §12.2 / §12.3 key lists (PyTorch shapes), parameters only (BN running stats are buffers). */
function expectedGeneratorKeys(gf: number, r: number, dcgan = false): Array<[string, number[]]> {
  const keys: Array<[string, number[]]> = [
    ['ca_net.fc.weight', [400, 256]],
    ['ca_net.fc.bias', [400]],
    ['h_net1.fc.0.weight', [gf * 16 * 16 * 2, 200]],
    ...bn('h_net1.fc.1', gf * 16 * 16 * 2),
  ];
  for (let i = 1; i <= 4; i++) {
    const c = (gf * 16) / 2 ** (i - 1);
    keys.push([`h_net1.upsample${i}.1.weight`, [c, c, 3, 3]], ...bn(`h_net1.upsample${i}.2`, c));
  }
  if (!dcgan) keys.push(['img_net1.img.0.weight', [3, gf, 3, 3]]);
  for (const s of [2, 3]) {
    keys.push([`h_net${s}.att.conv_context.weight`, [gf, 256, 1, 1]]);
    for (let k = 0; k < r; k++) {
      keys.push(
        [`h_net${s}.residual.${k}.block.0.weight`, [4 * gf, 2 * gf, 3, 3]],
        ...bn(`h_net${s}.residual.${k}.block.1`, 4 * gf),
        [`h_net${s}.residual.${k}.block.3.weight`, [2 * gf, 2 * gf, 3, 3]],
        ...bn(`h_net${s}.residual.${k}.block.4`, 2 * gf),
      );
    }
    keys.push([`h_net${s}.upsample.1.weight`, [2 * gf, 2 * gf, 3, 3]], ...bn(`h_net${s}.upsample.2`, 2 * gf));
    if (!dcgan) keys.push([`img_net${s}.img.0.weight`, [3, gf, 3, 3]]);
  }
  if (dcgan) keys.push(['img_net.img.0.weight', [3, gf, 3, 3]]);
  return keys;
}

function shapeOnlyG(cfg: HandGeneratorConfig) {
  return Module.shapeOnly(() => buildHandGenerator(cfg));
}

describe('generator composed from the blocks (test/fixtures/oracles/hand-generator.ts)', () => {
  it('birds: 7,084,592 params, 82 tensors, names and shapes = §12.1', () => {
    const g = shapeOnlyG({ gfDim: 32, rNum: 2, stages: 3 });
    expect(g.parameterCount()).toBe(7_084_592);
    expect(g.namedParameterShapes().map(([n, s]) => [n, torchShape(s)])).toEqual(expectedGeneratorKeys(32, 2));
    expect(g.namedParameterShapes().length + g.namedBufferShapes().length).toBe(82);
    expect(g.namedBufferShapes()[0]).toEqual(['h_net1.fc.1.running_mean', [16384]]);
  });

  it('COCO: 13,811,456 params, 102 tensors, names = §12.2', () => {
    const g = shapeOnlyG({ gfDim: 48, rNum: 3, stages: 3 });
    expect(g.parameterCount()).toBe(13_811_456);
    expect(g.namedParameterShapes().map(([n, s]) => [n, torchShape(s)])).toEqual(expectedGeneratorKeys(48, 3));
    expect(g.namedParameterShapes().length + g.namedBufferShapes().length).toBe(102);
  });

  it('AttnDCGAN birds: names = §12.3 (no residual keys, one img_net)', () => {
    const g = shapeOnlyG({ gfDim: 32, rNum: 0, stages: 3, dcgan: true });
    expect(g.namedParameterShapes().map(([n, s]) => [n, torchShape(s)])).toEqual(expectedGeneratorKeys(32, 0, true));
  });

  // The 256 px stage takes ~2 s on the native backend but minutes on the pure-JS one.
  const stages = tf.getBackend() === 'cpu' ? 2 : 3;
  const tiny: HandGeneratorConfig = { gfDim: 2, rNum: 1, stages, zDim: 4, cDim: 3, textDim: 8 };

  function inputs(b: number, t: number) {
    const lens = [t, Math.max(1, t - 2)];
    return {
      z: randn([b, 4], 'z') as tf.Tensor2D,
      sent: randn([b, 8], 's') as tf.Tensor2D,
      words: randn([b, t, 8], 'w') as tf.Tensor3D,
      mask: tf.tensor2d(
        Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, k) => (k >= lens[i % 2]! ? 1 : 0))).flat(),
        [b, t],
      ),
      noise: randn([b, 3], 'eps') as tf.Tensor2D,
    };
  }

  it('tiny G: shapes, no leaks (eval, training, grad step), every trainable variable gets a gradient', async () => {
    const g = buildHandGenerator(tiny);
    initLikeAttnGAN(g, new Rng(1));
    const inp = inputs(2, 5);
    const base = tf.memory().numTensors;

    const ev = g.apply({ ...inp, training: false });
    expect(ev.images.map((x) => x.shape)).toEqual([64, 128, 256].slice(0, stages).map((s) => [2, s, s, 3]));
    expect(ev.attn.map((x) => x.shape)).toEqual([64, 128].slice(0, stages - 1).map((s) => [2, s, s, 5]));
    tf.dispose([...ev.images, ...ev.attn, ev.mu, ev.logvar]);
    expect(tf.memory().numTensors).toBe(base);

    const tr = g.apply({ ...inp, training: true });
    tf.dispose([...tr.images, ...tr.attn, tr.mu, tr.logvar]);
    expect(tf.memory().numTensors).toBe(base);

    // Dummy loss touching every output, as the G loss does (images, attention via DAMSM, mu/logvar via KL).
    const weights = [64, 128, 256].slice(0, stages).map((s) => randn([2, s, s, 3], `w${s}`));
    const loss = () => {
      const o = g.apply({ ...inp, training: true });
      const terms = o.images.map((im, i) => tf.sum(tf.mul(im, weights[i]!)));
      terms.push(...o.attn.map((a) => tf.sum(tf.square(a))), tf.sum(tf.square(o.mu)), tf.sum(tf.exp(o.logvar)));
      return tf.addN(terms) as tf.Scalar;
    };
    const opt = tf.train.sgd(1e-3);
    const step = () => {
      const { value, grads } = tf.variableGrads(loss, g.trainableParameters());
      opt.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step(); // the optimizer allocates its learning-rate scalar once
    const afterFirst = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(afterFirst);

    const { value, grads } = tf.variableGrads(loss, g.trainableParameters());
    await expectAllGradsNonZero(grads, g.namedParameters());
    tf.dispose([value, ...Object.values(grads)]);

    // Frozen parameters get no gradient.
    g.ca_net.freeze();
    const fr = tf.variableGrads(loss, g.parameters());
    for (const v of g.ca_net.parameters()) expect(fr.grads[v.name]).toBeNull();
    expect(Object.values(fr.grads).filter((x) => x != null).length).toBe(g.trainableParameters().length);
    tf.dispose([fr.value, ...Object.values(fr.grads).filter((x): x is tf.Tensor => x != null)]);
    g.unfreeze();

    tf.dispose([...weights, ...Object.values(inp)]);
    opt.dispose();
    g.dispose();
  });

  it('seeded init is deterministic (same seed → same weights, other seed → different)', async () => {
    const cfg: HandGeneratorConfig = { ...tiny, stages: 2 };
    const a = buildHandGenerator(cfg);
    const b = buildHandGenerator(cfg);
    initLikeAttnGAN(a, new Rng(42));
    initLikeAttnGAN(b, new Rng(42));
    const sa = a.stateDict();
    const sb = b.stateDict();
    expect(sa.map(([n]) => n)).toEqual(sb.map(([n]) => n));
    for (let i = 0; i < sa.length; i++) expect(await sa[i]![1].data()).toEqual(await sb[i]![1].data());
    initLikeAttnGAN(b, new Rng(43));
    expect(await a.namedParameters()[0]![1].data()).not.toEqual(await b.namedParameters()[0]![1].data());
    a.dispose();
    b.dispose();
  });
});
