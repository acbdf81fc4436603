import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { hingeDiscriminatorLoss } from '../../../runtime/losses/hinge.js';
import { realPairs, type OneWayDiscriminator } from '../../../runtime/losses/magp.js';
import { optimizeStep } from '../../../runtime/optim/step.js';
import { DfganGenerator, dfganDiscriminator } from '../../fixtures/oracles/dfgan.js';
import { expectClose, fixture, load, torchGrads, type JsonState } from '../torch-fixtures.js';

interface Fx {
  nf: number; Z: number; E: number; size: number; B: number;
  z: number[]; sentence: number[]; image: number[];
  G: JsonState; D: JsonState; C: JsonState;
  predReal: number[]; predMis: number[]; errD: number; gp: number;
  dGrads: Record<string, number[]>;
}

// `realPairs` is what the generated one-way discriminatorLoss calls: one NetD forward of the real
// images for the real logits, the mismatched logits and MA-GP. Checked against DF-GAN's D loss in
// PyTorch (test/fixtures/make/families.py: 32 px, nf 2, B 3, float64).
describe('realPairs (one NetD forward: real, mismatched, MA-GP)', () => {
  const fx = fixture<Fx>('dfgan.json');
  const cfg = { nf: fx.nf, zDim: fx.Z, condDim: fx.E, size: fx.size };

  it("gives PyTorch's logits, penalty, D loss and every NetD/NetC gradient", () => {
    const netG = new DfganGenerator(cfg);
    const { netD, netC } = dfganDiscriminator(cfg);
    load(netG, fx.G);
    load(netD, fx.D);
    load(netC, fx.C);
    const d: OneWayDiscriminator = { features: (x) => netD.apply(x), logits: (f, s) => netC.apply(f, s) };
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const z = tf.tensor2d(fx.z, [fx.B, fx.Z]);
      const sent = tf.tensor2d(fx.sentence, [fx.B, fx.E]);
      const img = tf.tensor4d(fx.image, [fx.B, fx.size, fx.size, 3]);
      const loss = () => {
        const r = realPairs(d, img, sent, { weight: 2, power: 6 });
        const fake = netG.apply(z, sent);
        const h = hingeDiscriminatorLoss({ real: r.real, fake: d.logits(d.features(fake), sent), mismatched: r.mismatched });
        return { r, loss: tf.add(h.loss, r.penalty) as tf.Scalar };
      };
      const { r, loss: l } = loss();
      expectClose(r.real.dataSync(), fx.predReal, 1e-5);
      expectClose(r.mismatched.dataSync(), fx.predMis, 1e-5);
      expect(Math.abs(r.penalty.dataSync()[0]! - fx.gp) / fx.gp).toBeLessThan(1e-4);
      expect(Math.abs(l.dataSync()[0]! - fx.errD)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx.errD)));
      // The mismatched half's zero output gradient keeps it out of the penalty, but its logits still
      // reach NetD's parameters through the same forward: the whole D loss's gradients match.
      const grads = torchGrads([['', netD], ['C.', netC]], () => loss().loss);
      for (const [k, want] of Object.entries(fx.dGrads)) expectClose(grads.get(k)!, want, 5e-4);
      // Without a penalty: the same logits, a zero penalty.
      const plain = realPairs(d, img, sent, null);
      expectClose(plain.real.dataSync(), fx.predReal, 1e-5);
      expect(plain.penalty.dataSync()[0]).toBe(0);
    });
    expect(tf.memory().numTensors).toBe(before);
    [netG, netD, netC].forEach((m) => m.dispose());
  });

  it("an optimizer step through it (attnc's lean backward pass, as the generated D step runs) takes tf.variableGrads' gradients", () => {
    const build = () => {
      const { netD, netC } = dfganDiscriminator(cfg);
      load(netD, fx.D);
      load(netC, fx.C);
      return { netD, netC, d: { features: (x: tf.Tensor4D) => netD.apply(x), logits: (f: tf.Tensor4D, s: tf.Tensor2D) => netC.apply(f, s) } as OneWayDiscriminator };
    };
    const a = build();
    const b = build();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const sent = tf.tensor2d(fx.sentence, [fx.B, fx.E]);
      const img = tf.tensor4d(fx.image, [fx.B, fx.size, fx.size, 3]);
      const fake = tf.tanh(tf.reverse(img, 1)) as tf.Tensor4D;
      const loss = (n: typeof a) => {
        const r = realPairs(n.d, img, sent, { weight: 2, power: 6 });
        const h = hingeDiscriminatorLoss({ real: r.real, fake: n.d.logits(n.d.features(fake), sent), mismatched: r.mismatched });
        return tf.add(h.loss, r.penalty) as tf.Scalar;
      };
      const va = [...a.netD.parameters(), ...a.netC.parameters()];
      const vb = [...b.netD.parameters(), ...b.netC.parameters()];
      const { grads } = tf.variableGrads(() => loss(a), va);
      const sgd = tf.train.sgd(1);
      optimizeStep(sgd, vb, () => ({ loss: loss(b) }));
      va.forEach((v, i) => expectClose(tf.sub(v, vb[i]!).dataSync(), Array.from(grads[v.name]!.dataSync()), 1e-5));
      sgd.dispose();
    });
    expect(tf.memory().numTensors).toBe(before);
    [a.netD, a.netC, b.netD, b.netC].forEach((m) => m.dispose());
  });
});
