import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { MemoryStage } from '../../../runtime/blocks/memory-stage.js';
import type { MaskMode } from '../../../runtime/blocks/word-attention.js';
import { expectClose, fixture, load, type JsonState } from '../torch-fixtures.js';

interface Case { out: number[]; attn: number[]; gradH: number[]; gradA: number[] }
interface Fx { B: number; C: number; D: number; T: number; S: number; lengths: number[]; h: number[]; words: number[]; state: JsonState; cases: Record<string, Case> }
const fx = fixture<Fx>('dmgan.json');

// DM-GAN's memory stage against the PyTorch reference (test/fixtures/make/families.py, float64):
// B 3, ngf 4, words 6-d, 5 words with lengths 5/2/4, 4×4 → 8×8, two residual blocks.
describe('DM-GAN memory stage against PyTorch', () => {
  for (const mode of ['original_bug', 'correct'] as MaskMode[]) {
    for (const training of [true, false]) {
      it(`output, reading weights and gradients agree (mask ${mode}, BatchNorm ${training ? 'batch statistics' : 'running statistics'})`, () => {
        const c = fx.cases[`${mode}_${training ? 'train' : 'eval'}`]!;
        const m = new MemoryStage({ channels: fx.C, wordDim: fx.D, residualBlocks: 2, maskMode: mode });
        load(m, fx.state);
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const h = tf.tensor4d(fx.h, [fx.B, fx.S, fx.S, fx.C]);
          const words = tf.tensor3d(fx.words, [fx.B, fx.T, fx.D]);
          const mask = tf.tensor2d(fx.lengths.flatMap((n) => Array.from({ length: fx.T }, (_, i) => (i >= n ? 1 : 0))), [fx.B, fx.T], 'bool') as tf.Tensor2D;
          const out = m.apply(h, words, mask, training);
          expectClose(out.h.dataSync(), c.out, 2e-5);
          expectClose(out.attn.dataSync(), c.attn, 2e-5);
          // the PyTorch loss: Σ out·linspace(−1, 1) over the NCHW layout
          const n = c.out.length;
          const weights = tf.transpose(tf.reshape(tf.linspace(-1, 1, n), [fx.B, fx.C, 2 * fx.S, 2 * fx.S]), [0, 2, 3, 1]);
          const f = (x: tf.Tensor) => tf.sum(tf.mul(m.apply(x as tf.Tensor4D, words, mask, training).h, weights)) as tf.Scalar;
          expectClose(tf.grad(f)(h).dataSync(), c.gradH, 1e-4);
          const { grads } = tf.variableGrads(() => f(h), [m.A.weight]);
          expectClose(grads[m.A.weight.name]!.dataSync(), c.gradA, 1e-4);
        });
        expect(tf.memory().numTensors).toBe(before);
        m.dispose();
      });
    }
  }
});

describe('a checkpoint\'s attention_mask option reaches memory stages', () => {
  it('setAttentionMaskMode sets every MemoryStage of a generator (attnc import of DM-GAN weights)', async () => {
    const { setAttentionMaskMode } = await import('../../../runtime/model/checkpoint-options.js');
    const { Module } = await import('../../../runtime/nn/module.js');
    const { DmganGenerator } = await import('../../fixtures/oracles/dmgan-generator.js');
    const g = Module.shapeOnly(() => new DmganGenerator({ gfDim: 4, rNum: 1, stages: 3, maskMode: 'correct' }));
    expect(setAttentionMaskMode(g, 'original_bug')).toBe(2);
    expect(g.memory.map((m) => m.maskMode)).toEqual(['original_bug', 'original_bug']);
  });
});
