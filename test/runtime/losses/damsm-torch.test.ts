import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { sentLoss, wordsLoss } from '../../../runtime/losses/damsm.js';

interface Case {
  wordsLoss: [number, number];
  sentLoss: [number, number];
  attnMaps: number[][];
  gradRegions: number[];
  gradWords: number[];
  gradGlobal: number[];
  gradSentence: number[];
}
interface Fixture {
  B: number; D: number; H: number; W: number; T: number;
  lengths: number[]; classIds: number[]; gamma: [number, number, number];
  regions: number[]; words: number[]; global: number[]; sentence: number[];
  plain: Case; masked: Case;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '..', '..', 'fixtures', 'torch', 'damsm.json'), 'utf8')) as Fixture;

/** |a − b| ≤ tol · max(1, max|b|) elementwise: float32 here vs float64 in the fixture. */
function expectClose(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol * scale);
}

describe('DAMSM losses against the original AttnGAN code (PyTorch autograd, float64)', () => {
  for (const masked of [false, true]) {
    it(`losses, attention maps and gradients agree (${masked ? 'same-class masking' : 'no class ids'})`, () => {
      const c = masked ? fx.masked : fx.plain;
      const cls = masked ? fx.classIds : null;
      const [g1, g2, g3] = fx.gamma;
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const regions = tf.tensor4d(fx.regions, [fx.B, fx.H, fx.W, fx.D]);
        const words = tf.tensor3d(fx.words, [fx.B, fx.T, fx.D]);
        const glob = tf.tensor2d(fx.global, [fx.B, fx.D]);
        const sent = tf.tensor2d(fx.sentence, [fx.B, fx.D]);
        const w = wordsLoss(regions, words, fx.lengths, cls, { gamma1: g1, gamma2: g2, gamma3: g3 });
        const s = sentLoss(glob, sent, cls, { gamma3: g3 });
        expectClose([w.loss0, w.loss1].map((x) => x.dataSync()[0]!), c.wordsLoss, 1e-5);
        expectClose([s.loss0, s.loss1].map((x) => x.dataSync()[0]!), c.sentLoss, 1e-5);
        w.attnMaps.forEach((m, i) => expectClose(m.dataSync(), c.attnMaps[i]!, 1e-5));

        const grads = tf.grads((r: tf.Tensor, e: tf.Tensor, g: tf.Tensor, st: tf.Tensor) => {
          const wl = wordsLoss(r as tf.Tensor4D, e as tf.Tensor3D, fx.lengths, cls, { gamma1: g1, gamma2: g2, gamma3: g3, returnAttnMaps: false });
          const sl = sentLoss(g as tf.Tensor2D, st as tf.Tensor2D, cls, { gamma3: g3 });
          return tf.addN([wl.loss0, wl.loss1, sl.loss0, sl.loss1]);
        })([regions, words, glob, sent]);
        expectClose(grads[0]!.dataSync(), c.gradRegions, 1e-4);
        expectClose(grads[1]!.dataSync(), c.gradWords, 1e-4);
        expectClose(grads[2]!.dataSync(), c.gradGlobal, 1e-4);
        expectClose(grads[3]!.dataSync(), c.gradSentence, 1e-4);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
