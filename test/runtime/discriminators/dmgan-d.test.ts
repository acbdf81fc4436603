import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { discriminatorLoss, mismatchedPairs } from '../../../runtime/losses/gan.js';
import { withBatchGroups } from '../../../runtime/nn/layers.js';
import { Module } from '../../../runtime/nn/module.js';
import { torchShape, toTorchLayout } from '../../../runtime/nn/state.js';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { expectClose, fixture, load, type JsonState } from '../torch-fixtures.js';

interface Case {
  size: number;
  ndf: number;
  nef: number;
  B: number;
  sentence: number[];
  state: JsonState;
  train: {
    realCond: number[];
    fakeCond: number[];
    wrongCond: number[];
    realUncond: number[];
    fakeUncond: number[];
    loss: number;
    grads: Record<string, number[]>;
    uv: Record<string, number[]>;
  };
  eval: { cond: number[]; uncond: number[]; uv: Record<string, number[]> };
}
const fx = fixture<Record<string, Case>>('dmgan_d.json');
const keys = fixture<{ counts: Record<string, number>; trainable: Record<string, number>; keys: Record<string, Array<[string, number[]]>> }>('dmgan_d_keys.json');

/** families.py's `d_image`: sin(0.37y + 0.91x + 1.3c + 2.1n)·cos(0.05xy/S + 0.7n), as NHWC. */
function image(b: number, size: number, flipX = false): tf.Tensor4D {
  const out = new Float32Array(b * size * size * 3);
  let i = 0;
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < size; y++) {
      for (let xo = 0; xo < size; xo++) {
        const x = flipX ? size - 1 - xo : xo;
        for (let c = 0; c < 3; c++) out[i++] = Math.sin(0.37 * y + 0.91 * x + 1.3 * c + 2.1 * n) * Math.cos((0.05 * x * y) / size + 0.7 * n) * (flipX ? 0.8 : 1);
      }
    }
  }
  return tf.tensor4d(out, [b, size, size, 3]);
}

function uvOf(d: Module): Map<string, Float32Array> {
  return new Map(d.stateDict().filter(([n]) => n.endsWith('weight_u') || n.endsWith('weight_v')).map(([n, v]) => [n, v.dataSync() as Float32Array]));
}

function expectUv(d: Module, want: Record<string, number[]>, tol: number): void {
  const got = uvOf(d);
  expect([...got.keys()]).toEqual(Object.keys(want));
  for (const [n, v] of got) expectClose(v, want[n]!, tol);
}

// DM-GAN's spectrally normalised discriminators against the PyTorch reference (test/fixtures/make/families.py,
// float64, checked there bit for bit against the official D_NET64/128): ndf 2, sentence 6, B 3.
describe("DM-GAN's spectrally normalised discriminators against PyTorch", () => {
  for (const size of [64, 128]) {
    it(`D_NET${size}: DM-GAN's D loss (real and fake batched, COND ×3), its gradients, u and v after it, then an eval forward`, () => {
      const c = fx[String(size)]!;
      const d = new DNet({ size, ndf: c.ndf, nef: c.nef, spectralNorm: true });
      load(d, c.state);
      const trainable = d.slotInfos().filter((s) => s.kind === 'param' && s.variable.trainable);
      expect(trainable.map((s) => s.name).sort()).toEqual(Object.keys(c.train.grads).sort());
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const real = image(c.B, size);
        const fake = image(c.B, size, true);
        const sent = tf.tensor2d(c.sentence, [c.B, c.nef]);
        const seen: Record<string, Float32Array> = {};
        const f = () => {
          // as the generated discriminatorLoss: one batched image-code call, BatchNorm-like groups
          const codes = withBatchGroups(2, () => d.apply(tf.concat([real, fake]), true));
          const [rc, fc] = tf.split(codes, 2) as [tf.Tensor4D, tf.Tensor4D];
          const wrong = mismatchedPairs(rc, sent);
          const outs = {
            realCond: d.COND_DNET!.apply(rc, sent, true),
            fakeCond: d.COND_DNET!.apply(fc, sent, true),
            wrongCond: d.COND_DNET!.apply(wrong.image, wrong.sentence, true),
            realUncond: d.UNCOND_DNET!.apply(rc),
            fakeUncond: d.UNCOND_DNET!.apply(fc),
          };
          for (const [k, t] of Object.entries(outs)) seen[k] = t.dataSync() as Float32Array;
          return discriminatorLoss(outs).loss;
        };
        const { value, grads } = tf.variableGrads(f, trainable.map((s) => s.variable));
        for (const k of ['realCond', 'fakeCond', 'wrongCond', 'realUncond', 'fakeUncond'] as const) {
          expectClose(seen[k]!, c.train[k], 1e-5);
        }
        expectClose(value.dataSync(), [c.train.loss], 1e-5);
        // Measured worst 3.6e-7 relative; σ's gradient from each call's own u, v (not the last
        // stored, as the official's in-place .data swap gives) is off by 7e-4 (D64) and 2e-4 (D128).
        for (const s of trainable) expectClose(toTorchLayout(grads[s.variable.name]!, s.layout).data, c.train.grads[s.name]!, 1e-5);
        expectUv(d, c.train.uv, 1e-5);
        // eval: one more power-iteration step per conv (the official module has no mode switch)
        const code = d.apply(fake, false);
        expectClose(d.COND_DNET!.apply(code, sent, false).dataSync(), c.eval.cond, 1e-5);
        expectClose(d.UNCOND_DNET!.apply(code).dataSync(), c.eval.uncond, 1e-5);
        expectUv(d, c.eval.uv, 1e-5);
      });
      expect(tf.memory().numTensors).toBe(before);
      d.dispose();
    });
  }

  it('tensor count stays flat over training steps (u, v assigned in place)', () => {
    const d = new DNet({ size: 64, ndf: 2, nef: 6, spectralNorm: true });
    const x = image(2, 64);
    const sent = tf.zeros([2, 6]) as tf.Tensor2D;
    const step = () => {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const codes = withBatchGroups(2, () => d.apply(tf.concat([x, x]), true));
          return tf.sum(d.COND_DNET!.apply(tf.slice(codes, 0, 2) as tf.Tensor4D, sent, true)) as tf.Scalar;
        }),
      d.trainableParameters());
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, sent]);
    d.dispose();
  });
});

describe("DM-GAN's discriminators have the official state_dict layouts and parameter counts", () => {
  // Counted from the official D_NET64/128/256 (DF_DIM 32, EMBEDDING_DIM 256; docs/families.md).
  const official: Record<number, number> = { 64: 1_887_218, 128: 5_174_258, 256: 18_301_938 };
  for (const size of [64, 128, 256]) {
    it(`D_NET${size}: ${official[size]!.toLocaleString('en')} parameters with weight_u and weight_v, names and shapes the official's`, () => {
      const d = Module.shapeOnly(() => new DNet({ size, ndf: 32, nef: 256, spectralNorm: true }));
      expect(d.parameterCount()).toBe(official[size]);
      expect(keys.counts[String(size)]).toBe(official[size]);
      expect(d.namedParameterShapes().filter(([n]) => !/weight_[uv]$/.test(n)).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0)).toBe(keys.trainable[String(size)]);
      expect(d.namedSlotLayouts().map((s) => [s.name, torchShape(s.shape, s.layout)])).toEqual(keys.keys[String(size)]);
    });
  }

  it('weight_u and weight_v are parameters no optimizer sees, even after unfreeze()', () => {
    const d = new DNet({ size: 64, ndf: 2, nef: 6, spectralNorm: true });
    const fixed = d.namedParameters().filter(([n]) => n.endsWith('weight_u') || n.endsWith('weight_v'));
    expect(fixed.length).toBe(2 * 5);
    d.freeze().unfreeze();
    expect(fixed.every(([, v]) => !v.trainable)).toBe(true);
    const trainableCount = d.parameterCount({ trainableOnly: true });
    expect(d.parameterCount() - trainableCount).toBe(fixed.reduce((n, [, v]) => n + v.size, 0));
    d.dispose();
  });
});
