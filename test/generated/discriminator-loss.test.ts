import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { discriminatorLoss as ganDiscriminatorLoss, mismatchedPairs } from '../../runtime/losses/index.js';
import { createModel, discriminatorLoss, disposeModel } from '../fixtures/pth/generated/index.js';
import { Rng } from '../../runtime/nn/index.js';

// The emitted discriminator loss sends real and fake images through D's encoder as one batch with
// BatchNorm grouped per half. It must be the original's two separate calls: same loss, same
// gradients for every D parameter, same running statistics (real updated first, then fake).
const normal = (shape: number[], seed: number) => tf.tensor(new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b))), shape);
const maxRel = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-6));

describe('generated discriminatorLoss (parity model, BatchNorm in every encoder block)', () => {
  it('equals two separate encoder calls: loss, every gradient, running statistics', () => {
    const batched = createModel({ vocabSize: 20, seed: 3 });
    const separate = createModel({ vocabSize: 20, seed: 3 });
    try {
      for (let i = 0; i < batched.discriminators.length; i++) {
        const da = batched.discriminators[i]!;
        const db = separate.discriminators[i]!;
        const s = da.size as number;
        const real = normal([3, s, s, 3], 10 + i) as tf.Tensor4D;
        const fake = tf.tanh(normal([3, s, s, 3], 20 + i)) as tf.Tensor4D;
        const sentence = normal([3, 16], 30 + i) as tf.Tensor2D;
        const ga = tf.variableGrads(() => discriminatorLoss(da, real, fake, sentence).loss, da.trainableParameters());
        const gb = tf.variableGrads(() => {
          const realCode = db.code(real, true);
          const fakeCode = db.code(fake, true);
          const wrong = mismatchedPairs(realCode, sentence);
          return ganDiscriminatorLoss({
            realCond: db.COND_DNET.apply(realCode, sentence, true),
            fakeCond: db.COND_DNET.apply(fakeCode, sentence, true),
            wrongCond: db.COND_DNET.apply(wrong.image, wrong.sentence, true),
            realUncond: db.UNCOND_DNET.apply(realCode),
            fakeUncond: db.UNCOND_DNET.apply(fakeCode),
          }).loss;
        }, db.trainableParameters());
        expect(maxRel(ga.value, gb.value)).toBeLessThan(1e-5);
        const pa = da.trainableParameters();
        const pb = db.trainableParameters();
        expect(pa.length).toBeGreaterThan(4);
        pa.forEach((v, k) => expect(maxRel(ga.grads[v.name]!, gb.grads[pb[k]!.name]!), `gradient ${k}`).toBeLessThan(1e-4));
        const ba = da.namedBuffers();
        const bb = db.namedBuffers();
        expect(ba.length).toBeGreaterThan(0);
        ba.forEach(([name, v], k) => expect(maxRel(v, bb[k]![1]), name).toBeLessThan(1e-5));
        tf.dispose([real, fake, sentence, ga.value, gb.value, ...Object.values(ga.grads), ...Object.values(gb.grads)]);
      }
    } finally {
      disposeModel(batched);
      disposeModel(separate);
    }
  });
});
