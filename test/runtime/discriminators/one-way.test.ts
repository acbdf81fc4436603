import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { hingeDiscriminatorLoss, hingeGeneratorLoss } from '../../../runtime/losses/hinge.js';
import { matchingAwareGradientPenalty } from '../../../runtime/losses/magp.js';
import { optimizeStep } from '../../../runtime/optim/step.js';
import { DfganGenerator, dfganDiscriminator } from '../../fixtures/oracles/dfgan.js';
import { expectClose, fixture, load, torchGrads, type JsonState } from '../torch-fixtures.js';

interface Fx {
  nf: number; Z: number; E: number; size: number; B: number;
  z: number[]; sentence: number[]; image: number[];
  G: JsonState; D: JsonState; C: JsonState;
  fake: number[]; predReal: number[]; predFake: number[]; predMis: number[];
  errD: number; gp: number; errG: number;
  gpGrads: Record<string, number[]>; dGrads: Record<string, number[]>;
}
const fx = fixture<Fx>('dfgan.json');
const cfg = { nf: fx.nf, zDim: fx.Z, condDim: fx.E, size: fx.size };

function build() {
  const netG = new DfganGenerator(cfg);
  const { netD, netC } = dfganDiscriminator(cfg);
  load(netG, fx.G);
  load(netD, fx.D);
  load(netC, fx.C);
  const inputs = () => ({
    z: tf.tensor2d(fx.z, [fx.B, fx.Z]),
    sent: tf.tensor2d(fx.sentence, [fx.B, fx.E]),
    img: tf.tensor4d(fx.image, [fx.B, fx.size, fx.size, 3]),
  });
  return { netG, netD, netC, inputs, dispose: () => [netG, netD, netC].forEach((m) => m.dispose()) };
}

/** DF-GAN's D loss (code/lib/modules.py `train`): hinge real + (fake + mismatched)/2 + MA-GP, on the real forward the penalty differentiates. */
function dLoss(n: ReturnType<typeof build>, x: { z: tf.Tensor2D; sent: tf.Tensor2D; img: tf.Tensor4D }, withPenalty = true) {
  const fake = n.netG.apply(x.z, x.sent);
  const d = (i: tf.Tensor4D, s: tf.Tensor2D) => n.netC.apply(n.netD.apply(i), s);
  let real: tf.Tensor1D;
  let penalty: tf.Scalar = tf.scalar(0);
  if (withPenalty) ({ logits: real, penalty } = matchingAwareGradientPenalty(d, x.img, x.sent, { weight: 2, power: 6 }));
  else real = d(x.img, x.sent);
  const feats = n.netD.apply(x.img);
  const mis = n.netC.apply(tf.concat([feats.slice(1), feats.slice(0, 1)]) as tf.Tensor4D, x.sent);
  const fakeLogits = n.netC.apply(n.netD.apply(fake), x.sent);
  const h = hingeDiscriminatorLoss({ real, fake: fakeLogits, mismatched: mis });
  return { loss: tf.add(h.loss, penalty) as tf.Scalar, penalty, real, fakeLogits, mis, fake };
}

// DF-GAN at 32 px, nf 2, B 3 against the PyTorch reference (test/fixtures/make/families.py, float64),
// on whatever backend the suite runs (the native TensorFlow one by default: its ReLU/LeakyReLU
// gradient kernels and convolutions must differentiate twice for the penalty).
describe('DF-GAN networks, hinge losses and MA-GP against PyTorch', () => {
  it('generator image, discriminator logits, hinge D loss, MA-GP value and G loss agree', () => {
    const n = build();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = n.inputs();
      const r = dLoss(n, x);
      expectClose(r.fake.dataSync(), fx.fake, 1e-5);
      expectClose(r.real.dataSync(), fx.predReal, 1e-5);
      expectClose(r.fakeLogits.dataSync(), fx.predFake, 1e-5);
      expectClose(r.mis.dataSync(), fx.predMis, 1e-5);
      expect(Math.abs(r.penalty.dataSync()[0]! - fx.gp) / fx.gp).toBeLessThan(1e-4);
      expect(Math.abs(r.loss.dataSync()[0]! - fx.errD)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx.errD)));
      const g = hingeGeneratorLoss(n.netC.apply(n.netD.apply(r.fake), x.sent));
      expect(Math.abs(g.dataSync()[0]! - fx.errG)).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
    n.dispose();
  });

  it("MA-GP's second-order gradients and the whole D loss's gradients equal PyTorch's, for every D and C parameter", () => {
    const n = build();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = n.inputs();
      const mods: Array<[string, typeof n.netD | typeof n.netC]> = [['', n.netD], ['C.', n.netC]];
      const gp = torchGrads(mods, () => dLoss(n, x).penalty);
      const all = torchGrads(mods, () => dLoss(n, x).loss);
      expect([...gp.keys()].sort()).toEqual(Object.keys(fx.gpGrads).sort());
      let worst = 0;
      for (const [k, want] of Object.entries(fx.gpGrads)) worst = Math.max(worst, expectClose(gp.get(k)!, want, 5e-4));
      for (const [k, want] of Object.entries(fx.dGrads)) worst = Math.max(worst, expectClose(all.get(k)!, want, 5e-4));
      expect(worst).toBeGreaterThanOrEqual(0);
    });
    expect(tf.memory().numTensors).toBe(before);
    n.dispose();
  });

  it('MA-GP gradients match central finite differences (float32, the largest entries of four convs and a γ)', () => {
    const n = build();
    tf.tidy(() => {
      const x = n.inputs();
      const vars = [n.netD.blocks[1]!.conv1.weight, n.netD.convImg.weight, n.netD.blocks[2]!.convS.weight, n.netC.conv1.weight, n.netD.blocks[0]!.gamma];
      const { grads } = tf.variableGrads(() => dLoss(n, x).penalty, vars);
      // The penalty is smooth only between LeakyReLU kinks: a step that moves a pre-activation across
      // zero measures no derivative. An entry whose differences at two step sizes disagree crossed a
      // kink and is left out; every other entry must match, and most entries must be kink-free.
      let smooth = 0;
      for (const v of vars) {
        const g = grads[v.name]!.dataSync();
        const values = v.dataSync().slice();
        const idx = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, 3);
        for (const i of idx) {
          const at = (d: number) => {
            const w = values.slice();
            w[i] = values[i]! + d;
            v.assign(tf.tensor(w, v.shape));
            return dLoss(n, x).penalty.dataSync()[0]!;
          };
          const [fd1, fd2] = [1e-3, 3e-4].map((eps) => (at(eps) - at(-eps)) / (2 * eps)) as [number, number];
          v.assign(tf.tensor(values, v.shape));
          if (Math.abs(fd1 - fd2) > 2e-2 * Math.max(Math.abs(fd1), Math.abs(fd2))) continue;
          smooth++;
          expect(Math.abs(fd1 - g[i]!)).toBeLessThanOrEqual(2e-2 * Math.abs(g[i]!));
        }
      }
      expect(smooth).toBeGreaterThanOrEqual(8); // of 13: three entries of each conv, the one γ
    });
    n.dispose();
  });

  it("an optimizer step with the penalty (attnc's lean backward pass) takes the same gradients as tf.variableGrads", () => {
    const a = build();
    const b = build();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = a.inputs();
      const va = [...a.netD.parameters(), ...a.netC.parameters()];
      const vb = [...b.netD.parameters(), ...b.netC.parameters()];
      const { grads } = tf.variableGrads(() => dLoss(a, x).loss, va);
      const sgd = tf.train.sgd(1);
      const losses = optimizeStep(sgd, vb, () => ({ loss: dLoss(b, x).loss }));
      expect(Math.abs(losses.loss.dataSync()[0]! - fx.errD)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx.errD)));
      // after one SGD step of rate 1, b's weights are a's minus the gradient
      va.forEach((v, i) => expectClose(tf.sub(v, vb[i]!).dataSync(), Array.from(grads[v.name]!.dataSync()), 1e-5));
      sgd.dispose();
    });
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });
});
