import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type MaskMode, WordAttention } from '../../../runtime/blocks/word-attention.js';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { Rng } from '../../../runtime/util/rng.js';
import { randn } from './util.js';

const TOL = 1e-5; // float32 matMul/softmax vs float64 JS loop on O(1) values

/**
 * Per-pixel reference in float64, following GlobalAttention.py literally: e' = W·words, for each
 * row r = b·N + n of the (B·N, T) score view: mask row = caption b ('correct') or caption r mod B
 * ('original_bug', the `repeat(queryL, 1)` tiling), softmax over words, context = Σ_t attn·e'.
 */
function reference(h: number[][][][], words: number[][][], w: number[][], lens: number[], mode: MaskMode) {
  const B = h.length;
  const H = h[0]!.length;
  const W = h[0]![0]!.length;
  const C = h[0]![0]![0]!.length;
  const T = words[0]!.length;
  const D = words[0]![0]!.length;
  const N = H * W;
  const e = words.map((ws) => ws.map((wd) => Array.from({ length: C }, (_, c) => wd.reduce((s, x, d) => s + x * w[d]![c]!, 0))));
  const ctx: number[] = [];
  const att: number[] = [];
  for (let b = 0; b < B; b++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const n = y * W + x;
        const r = b * N + n;
        const maskCap = mode === 'correct' ? b : r % B;
        const q = h[b]![y]![x]!;
        const s = Array.from({ length: T }, (_, t) =>
          t >= lens[maskCap]! ? -Infinity : q.reduce((acc, qc, c) => acc + qc * e[b]![t]![c]!, 0),
        );
        const m = Math.max(...s);
        const ex = s.map((v) => Math.exp(v - m));
        const z = ex.reduce((a, v) => a + v, 0);
        const a = ex.map((v) => v / z);
        for (let c = 0; c < C; c++) ctx.push(a.reduce((acc, at, t) => acc + at * e[b]![t]![c]!, 0));
        att.push(...a);
      }
  void D;
  return { ctx, att };
}

describe('WordAttention', () => {
  const B = 3;
  const H = 2;
  const W = 3;
  const C = 4;
  const T = 5;
  const D = 6;
  const lens = [5, 2, 3]; // unequal caption lengths: the bug changes the result

  for (const mode of ['correct', 'original_bug'] as const) {
    it(`matches a per-pixel loop (${mode}, tolerance ${TOL})`, async () => {
      const att = new WordAttention({ channels: C, wordDim: D, maskMode: mode });
      initLikeAttnGAN(att, new Rng(3));
      expect(att.namedParameterShapes()).toEqual([['conv_context.weight', [1, 1, D, C]]]);
      const h = randn([B, H, W, C], 1) as tf.Tensor4D;
      const words = randn([B, T, D], 2) as tf.Tensor3D;
      const mask = tf.tensor2d(
        lens.flatMap((l) => Array.from({ length: T }, (_, t) => (t >= l ? 1 : 0))),
        [B, T],
      );
      const before = tf.memory().numTensors;
      const { context, attn } = att.apply(h, words, mask);
      expect(tf.memory().numTensors).toBe(before + 2);
      expect(context.shape).toEqual([B, H, W, C]);
      expect(attn.shape).toEqual([B, H, W, T]);
      const w2 = (await att.conv_context.weight.array()) as number[][][][];
      const ref = reference(
        (await h.array()) as number[][][][],
        (await words.array()) as number[][][],
        w2[0]![0]!,
        lens,
        mode,
      );
      const gotC = await context.data();
      const gotA = await attn.data();
      ref.ctx.forEach((v, i) => expect(Math.abs(gotC[i]! - v)).toBeLessThan(TOL));
      ref.att.forEach((v, i) => expect(Math.abs(gotA[i]! - v)).toBeLessThan(TOL));
      tf.dispose([h, words, mask, context, attn]);
      att.dispose();
    });
  }

  it('the two mask modes differ for unequal lengths at B > 1 and agree at B = 1', async () => {
    const a = new WordAttention({ channels: C, wordDim: D, maskMode: 'correct' });
    const h = randn([B, H, W, C], 4) as tf.Tensor4D;
    const words = randn([B, T, D], 5) as tf.Tensor3D;
    const mask = tf.tensor2d(lens.flatMap((l) => Array.from({ length: T }, (_, t) => (t >= l ? 1 : 0))), [B, T]);
    const r1 = a.apply(h, words, mask);
    a.maskMode = 'original_bug';
    const r2 = a.apply(h, words, mask);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(r1.attn, r2.attn))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-3);
    const h1 = tf.slice(h, [1, 0, 0, 0], [1, H, W, C]) as tf.Tensor4D;
    const w1 = tf.slice(words, [1, 0, 0], [1, T, D]) as tf.Tensor3D;
    const m1 = tf.slice(mask, [1, 0], [1, T]) as tf.Tensor2D;
    const s1 = a.apply(h1, w1, m1);
    a.maskMode = 'correct';
    const s2 = a.apply(h1, w1, m1);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(s1.attn, s2.attn))).dataSync()[0]!)).toBe(0);
    tf.dispose([h, words, mask, r1.attn, r1.context, r2.attn, r2.context, h1, w1, m1, s1.attn, s1.context, s2.attn, s2.context]);
    a.dispose();
  });
});
