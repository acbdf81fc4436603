import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { drawNoise } from '../../runtime/model/noise.js';
import { Module } from '../../runtime/nn/module.js';
import { torchShape } from '../../runtime/nn/state.js';
import { readLosses } from '../../runtime/optim/index.js';
import { Discriminator256 } from '../../generated/dfgan/discriminators.js';
import { Generator } from '../../generated/dfgan/generator.js';
import { PARAMETER_COUNTS } from '../../generated/dfgan/model.js';
import { createGanOptimizers, createGeneratorEma, createModel, disposeModel, ganStep, plan, sample, type GanBatch } from '../../generated/tiny-dfgan/index.js';
import { fixture } from '../runtime/torch-fixtures.js';

type Keys = Array<[string, number[]]>;
const sorted = (k: Keys) => [...k].sort((a, b) => (a[0] < b[0] ? -1 : 1));
const layouts = (m: Module): Keys => m.namedSlotLayouts().map((s): [string, number[]] => [s.name, torchShape(s.shape, s.layout)]);

// generated/dfgan holds exactly the official networks' state_dicts (test/fixtures/make/families.py
// checked those lists against tobran/DF-GAN's code at 78f14fd7): NetG as the generator, NetD and NetC
// as one discriminator under `netD.` and `netC.` (the keys of `state_epoch_*.pth`'s `model`).
describe('generated/dfgan', () => {
  const official = fixture<{ dfgan_NetG: Keys; dfgan_NetD: Keys; dfgan_NetC: Keys }>('family_keys.json');

  it("the generator is the official NetG: 9,744,131 parameters under the same names and shapes", () => {
    const g = Module.shapeOnly(() => new Generator());
    expect(sorted(layouts(g))).toEqual(sorted(official.dfgan_NetG));
    expect(g.parameterCount()).toBe(9_744_131);
    expect(PARAMETER_COUNTS.generator).toBe(9_744_131);
  });

  it('the discriminator is NetD + NetC: 6,915,142 parameters under netD.* and netC.*', () => {
    const d = Module.shapeOnly(() => new Discriminator256());
    const want = [...official.dfgan_NetD.map(([n, s]): [string, number[]] => [`netD.${n}`, s]), ...official.dfgan_NetC.map(([n, s]): [string, number[]] => [`netC.${n}`, s])];
    expect(sorted(layouts(d))).toEqual(sorted(want));
    expect(d.parameterCount()).toBe(6_915_142);
    expect(PARAMETER_COUNTS.discriminator_256).toBe(6_915_142);
  });
});

const B = 4;
const T = 6;
const VOCAB = 30;

describe('generated/tiny-dfgan runs', () => {
  it("starts as DF-GAN does: PyTorch's default init with every Affine at the identity, D_Block γ at 0", () => {
    const model = createModel({ vocabSize: VOCAB, seed: 1 });
    try {
      const g = model.generator;
      const affine = g.block2.fuse1.affine1;
      expect([...affine.gamma2.weight.dataSync()].every((v) => v === 0)).toBe(true);
      expect([...affine.gamma2.bias!.dataSync()].every((v) => v === 1)).toBe(true);
      expect([...affine.beta2.bias!.dataSync()].every((v) => v === 0)).toBe(true);
      // linear1 keeps PyTorch's U(±1/√fan_in) draw: fan_in = z 32 + sentence 64.
      const w = [...affine.gamma1.weight.dataSync()];
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(96));
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(96));
      const d = model.discriminators[0];
      expect(d.netD.blocks.map((b) => b.gamma.dataSync()[0])).toEqual([0, 0, 0, 0]);
      expect(model.generator.parameterCount()).toBe(322_691);
    } finally {
      disposeModel(model);
    }
  });

  it('GAN steps give finite hinge and MA-GP losses and keep the tensor count flat; sampling draws truncated z', () => {
    const model = createModel({ vocabSize: VOCAB, seed: 1 });
    const lengths = [6, 4, 5, 3];
    const tokens = tf.tensor2d(Int32Array.from({ length: B * T }, (_, i) => (i % T < lengths[Math.floor(i / T)]! ? 1 + (i % (VOCAB - 1)) : 0)), [B, T], 'int32');
    const images = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const batch: GanBatch = { images: [images], tokens, lengths, classIds: [0, 1, 2, 0] };
    const optimizers = createGanOptimizers();
    expect(createGeneratorEma(model)).toBeNull();
    const noise = drawNoise({ purpose: 'train', seed: 1, step: 0, batchSize: B }, plan.noise);
    expect(noise.eps.shape).toEqual([B, 0]); // no conditioning augmentation
    const read = (r: ReturnType<typeof ganStep>) => ({ d: r.discriminators.map(readLosses), g: readLosses(r.generator) });
    read(ganStep(model, optimizers, batch, noise));
    const before = tf.memory().numTensors;
    const r = read(ganStep(model, optimizers, batch, noise));
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(r.d[0]!).sort()).toEqual(['fake', 'loss', 'mismatched', 'penalty', 'real']);
    expect(Object.keys(r.g).sort()).toEqual(['adversarial', 'loss']);
    for (const v of [...Object.values(r.d[0]!), ...Object.values(r.g)]) expect(Number.isFinite(v)).toBe(true);
    expect(r.d[0]!.penalty).toBeGreaterThan(0);
    // D's loss is the hinge terms plus the penalty, as DF-GAN sums them.
    expect(r.d[0]!.loss).toBeCloseTo(r.d[0]!.real + (r.d[0]!.fake + r.d[0]!.mismatched) / 2 + r.d[0]!.penalty, 4);

    expect(plan.noise.truncation).toBe(0.88);
    const s = drawNoise({ purpose: 'sample', seed: 0, indices: [0, 1, 2, 3] }, plan.noise);
    expect(Math.max(...[...s.z.dataSync()].map(Math.abs))).toBeLessThanOrEqual(0.88);
    const out = sample(model, tokens, lengths, s);
    expect(out.images.map((i) => i.shape)).toEqual([[B, 64, 64, 3]]);
    expect(out.attn).toEqual([]);
    tf.dispose([out.images, tokens, images, noise.z, noise.eps, s.z, s.eps]);
    optimizers.generator.dispose();
    for (const o of optimizers.discriminators) o.dispose();
    disposeModel(model);
  });
});
