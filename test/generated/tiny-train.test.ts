import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readLosses } from '../../runtime/train/index.js';
import {
  createDamsmOptimizer,
  createGanOptimizers,
  createGeneratorEma,
  createModel,
  damsmStep,
  disposeModel,
  ganStep,
  PARAMETER_COUNTS,
  sample,
  type GanBatch,
} from '../../generated/tiny/index.js';

// The proof that generated code works: the committed tiny model runs one DAMSM step and GAN steps
// (every D, then G) on random tiny data, with finite losses and no tensor leaks.
const B = 4;
const T = 6;
const VOCAB = 30;

function captions(seed: number): { tokens: tf.Tensor2D; lengths: number[] } {
  const lengths = [6, 4, 5, 3].slice(0, B);
  const ids = new Int32Array(B * T);
  let s = seed;
  for (let b = 0; b < B; b++) for (let t = 0; t < lengths[b]!; t++) ids[b * T + t] = 1 + ((s = (s * 1103515245 + 12345) >>> 0) % (VOCAB - 1));
  return { tokens: tf.tensor2d(ids, [B, T], 'int32'), lengths };
}

describe('generated/tiny runs', () => {
  it('builds every network with the graph parameter counts', () => {
    const model = createModel({ vocabSize: VOCAB, seed: 1 });
    try {
      expect(model.generator.parameterCount()).toBe(PARAMETER_COUNTS.generator);
      expect(model.discriminators.map((d) => d.parameterCount())).toEqual([PARAMETER_COUNTS.discriminator_32, PARAMETER_COUNTS.discriminator_64]);
      expect(model.imageEncoder.parameterCount()).toBe(PARAMETER_COUNTS.image_encoder);
      // The text encoder count excludes the vocabulary-sized embedding ([V, 64]).
      expect(model.textEncoder.parameterCount()).toBe(PARAMETER_COUNTS.text_encoder + VOCAB * 64);
    } finally {
      disposeModel(model);
    }
  });

  it('one DAMSM step and GAN steps give finite losses and keep the tensor count flat', () => {
    const model = createModel({ vocabSize: VOCAB, seed: 1 });
    const { tokens, lengths } = captions(7);
    const images64 = tf.randomUniform([B, 64, 64, 3], -1, 1) as tf.Tensor4D;
    const images32 = tf.image.resizeBilinear(images64, [32, 32]) as tf.Tensor4D;
    const classIds = [0, 1, 2, 0];
    const damsmOpt = createDamsmOptimizer(0);
    const d = readLosses(damsmStep(model, damsmOpt, { images: images64, tokens, lengths, classIds }));
    expect(Object.keys(d).sort()).toEqual(['loss', 'sentence0', 'sentence1', 'words0', 'words1']);
    for (const v of Object.values(d)) expect(Number.isFinite(v)).toBe(true);

    const optimizers = createGanOptimizers();
    const ema = createGeneratorEma(model);
    const batch: GanBatch = { images: [images32, images64], tokens, lengths, classIds };
    const read = (r: ReturnType<typeof ganStep>) => ({ discriminators: r.discriminators.map(readLosses), generator: readLosses(r.generator) });
    const first = read(ganStep(model, optimizers, batch, ema));
    const before = tf.memory().numTensors;
    const second = read(ganStep(model, optimizers, batch, ema));
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [first, second]) {
      expect(r.discriminators).toHaveLength(2);
      for (const dl of r.discriminators) expect(Number.isFinite(dl.loss)).toBe(true);
      expect(Object.keys(r.generator).sort()).toEqual(['adversarial', 'damsm', 'kl', 'loss']);
      for (const v of Object.values(r.generator)) expect(Number.isFinite(v)).toBe(true);
    }

    const out = sample(model, tokens, lengths);
    expect(out.images.map((i) => i.shape)).toEqual([
      [B, 32, 32, 3],
      [B, 64, 64, 3],
    ]);
    expect(out.attn.map((a) => a.shape)).toEqual([[B, 32, 32, T]]);
    tf.dispose([out.images, out.attn, tokens, images64, images32]);
    damsmOpt.dispose();
    optimizers.generator.dispose();
    for (const o of optimizers.discriminators) o.dispose();
    ema.dispose();
    disposeModel(model);
  });
});
