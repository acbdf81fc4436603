import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CondAugment, caKLLoss, SentenceCode } from '../../../runtime/blocks/cond-augment.js';
import { Rng } from '../../../runtime/util/rng.js';
import { expectClose, randn } from './util.js';

describe('CondAugment', () => {
  it('splits GLU(fc(sent)) into mu | logvar and reparameterises with the given noise', () => {
    const ca = new CondAugment({ textDim: 6, cDim: 3 });
    expect(ca.namedParameterShapes()).toEqual([
      ['fc.weight', [6, 12]],
      ['fc.bias', [12]],
    ]);
    const sent = randn([2, 6], 1) as tf.Tensor2D;
    const eps = randn([2, 3], 2) as tf.Tensor2D;
    const { c, mu, logvar } = ca.apply(sent, eps);
    const x = tf.tidy(() => {
      const f = tf.add(tf.matMul(sent, ca.fc.weight), ca.fc.bias!);
      const [v, g] = tf.split(f, 2, -1);
      return tf.mul(v!, tf.sigmoid(g!));
    });
    const [wantMu, wantLogvar] = tf.split(x, 2, -1);
    expectClose(mu, wantMu!);
    expectClose(logvar, wantLogvar!);
    const wantC = tf.tidy(() => tf.add(wantMu!, tf.mul(eps, tf.exp(tf.mul(wantLogvar!, 0.5)))));
    expectClose(c, wantC);
    // Seeded draws are reproducible.
    const a = ca.apply(sent, new Rng(9));
    const b = ca.apply(sent, new Rng(9));
    expectClose(a.c, b.c, 0);
    tf.dispose([sent, eps, c, mu, logvar, x, wantMu!, wantLogvar!, wantC, a.c, a.mu, a.logvar, b.c, b.mu, b.logvar]);
    ca.dispose();
  });

  it('KL equals −½·mean(1 + logvar − mu² − e^logvar)', async () => {
    const mu = [0.5, -1, 2, 0];
    const lv = [0.1, -0.3, 0, 1];
    let s = 0;
    for (let i = 0; i < 4; i++) s += 1 + lv[i]! - mu[i]! ** 2 - Math.exp(lv[i]!);
    const kl = caKLLoss(tf.tensor2d(mu, [2, 2]), tf.tensor2d(lv, [2, 2]));
    expect((await kl.data())[0]).toBeCloseTo((-0.5 * s) / 4, 6);
    kl.dispose();
  });
});

describe('SentenceCode (conditioning augmentation off)', () => {
  it('is GLU(fc(sent)) with fc textDim → 2·cDim: no noise, the same code every call', () => {
    const sc = new SentenceCode({ textDim: 6, cDim: 3 });
    expect(sc.namedParameterShapes()).toEqual([
      ['fc.weight', [6, 6]],
      ['fc.bias', [6]],
    ]);
    const sent = randn([2, 6], 4) as tf.Tensor2D;
    const c = sc.apply(sent);
    expect(c.shape).toEqual([2, 3]);
    // By hand: value = s·W[:, :3] + b[:3], gate = s·W[:, 3:] + b[3:], c = value · σ(gate).
    const w = sc.fc.weight.arraySync() as number[][];
    const bias = sc.fc.bias!.arraySync() as number[];
    const s = sent.arraySync();
    const want = s.map((row) =>
      [0, 1, 2].map((j) => {
        const dot = (k: number) => row.reduce((acc, x, i) => acc + x * w[i]![k]!, bias[k]!);
        return dot(j) / (1 + Math.exp(-dot(j + 3)));
      }),
    );
    const byHand = tf.tensor2d(want);
    expectClose(c, byHand, 1e-5);
    const again = sc.apply(sent);
    expectClose(again, c, 0);
    tf.dispose([sent, c, again, byHand]);
    sc.dispose();
  });
});
