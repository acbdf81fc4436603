import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { drawNoise, stepSeed } from '../../runtime/model/noise.js';
import { Rng } from '../../runtime/nn/index.js';
import { readLosses } from '../../runtime/optim/index.js';
import {
  createDamsmOptimizer,
  createGanOptimizers,
  createGeneratorEma,
  createModel,
  damsmStep,
  discriminatorStep,
  disposeModel,
  encodeCaptions,
  ganStep,
  generatorStep,
  PARAMETER_COUNTS,
  plan,
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
    const noise = drawNoise({ purpose: 'train', seed: 1, step: 0, batchSize: B }, plan.noise);
    const first = read(ganStep(model, optimizers, batch, noise, ema));
    const before = tf.memory().numTensors;
    const second = read(ganStep(model, optimizers, batch, noise, ema));
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [first, second]) {
      expect(r.discriminators).toHaveLength(2);
      for (const dl of r.discriminators) expect(Number.isFinite(dl.loss)).toBe(true);
      expect(Object.keys(r.generator).sort()).toEqual(['adversarial', 'damsm', 'kl', 'loss']);
      for (const v of Object.values(r.generator)) expect(Number.isFinite(v)).toBe(true);
    }

    const out = sample(model, tokens, lengths, noise);
    expect(out.images.map((i) => i.shape)).toEqual([
      [B, 32, 32, 3],
      [B, 64, 64, 3],
    ]);
    expect(out.attn.map((a) => a.shape)).toEqual([[B, 32, 32, T]]);
    tf.dispose([out.images, out.attn, tokens, images64, images32, noise.z, noise.eps]);
    damsmOpt.dispose();
    optimizers.generator.dispose();
    for (const o of optimizers.discriminators) o.dispose();
    ema.dispose();
    disposeModel(model);
  });

  it('ganStep runs the generator forward once: the same updates as separate D and G steps, BatchNorm statistics updated once', () => {
    const { tokens, lengths } = captions(3);
    const images64 = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const images32 = tf.image.resizeBilinear(images64, [32, 32]) as tf.Tensor4D;
    const batch: GanBatch = { images: [images32, images64], tokens, lengths, classIds: [0, 1, 2, 0] };
    const state = (m: ReturnType<typeof createModel>) =>
      [m.generator, ...m.discriminators].flatMap((n) => n.stateDict().map(([k, v]) => [k, Array.from(v.dataSync())] as const));
    const bnMean = (m: ReturnType<typeof createModel>) =>
      m.generator.namedBuffers().filter(([k]) => k.endsWith('running_mean')).map(([, v]) => Array.from(v.dataSync()));

    // One iteration through ganStep, counting generator forwards.
    const a = createModel({ vocabSize: VOCAB, seed: 2 });
    const optA = createGanOptimizers();
    let forwards = 0;
    const apply = a.generator.apply.bind(a.generator);
    a.generator.apply = (...args: Parameters<typeof apply>) => {
      forwards++;
      return apply(...args);
    };
    const noise = drawNoise({ purpose: 'train', seed: 11, step: 0, batchSize: B }, plan.noise);
    const r = ganStep(a, optA, batch, noise, null);
    tf.dispose([...r.discriminators.flatMap((l) => Object.values(l)), ...Object.values(r.generator)]);
    expect(forwards).toBe(1);

    // The same iteration as the separate steps (D steps on their own forward, then G's forward).
    const b = createModel({ vocabSize: VOCAB, seed: 2 });
    const optB = createGanOptimizers();
    const caps = encodeCaptions(b.textEncoder, tokens, lengths, false);
    const bnBefore = bnMean(b);
    tf.dispose(discriminatorStep(b, optB, batch, caps, noise).flatMap((l) => Object.values(l)));
    const bnAfterOne = bnMean(b);
    tf.dispose(Object.values(generatorStep(b, optB, batch, caps, noise)));

    // Parameters agree (G's batch statistics are the same in both forwards); buffers: ganStep's
    // BN running means moved once (as after b's first forward), b's twice.
    const sa = state(a);
    const sb = state(b);
    expect(sa.map(([k]) => k)).toEqual(sb.map(([k]) => k));
    const paramNames = new Set([a.generator, ...a.discriminators].flatMap((n) => n.namedParameters().map(([k]) => k)));
    let maxDiff = 0;
    for (let i = 0; i < sa.length; i++) {
      if (!paramNames.has(sa[i]![0])) continue;
      const [x, y] = [sa[i]![1], sb[i]![1]];
      for (let j = 0; j < x.length; j++) maxDiff = Math.max(maxDiff, Math.abs(x[j]! - y[j]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    const ma = bnMean(a);
    let dOnce = 0;
    let dBefore = 0;
    for (let i = 0; i < ma.length; i++) {
      for (let j = 0; j < ma[i]!.length; j++) {
        dOnce = Math.max(dOnce, Math.abs(ma[i]![j]! - bnAfterOne[i]![j]!));
        dBefore = Math.max(dBefore, Math.abs(ma[i]![j]! - bnBefore[i]![j]!));
      }
    }
    expect(dOnce).toBeLessThan(1e-6);
    expect(dBefore).toBeGreaterThan(1e-4);

    tf.dispose([caps.words, caps.sentence, caps.mask, noise.z, noise.eps, tokens, images64, images32]);
    for (const o of [optA, optB]) {
      o.generator.dispose();
      for (const d of o.discriminators) d.dispose();
    }
    disposeModel(a);
    disposeModel(b);
  });

  it("a step's noise is a function of (phase seed, step), with independent z and ε streams", () => {
    const key = (seed: number, step: number) => ({ purpose: 'train' as const, seed, step, batchSize: 3 });
    const a = drawNoise(key(0, 0), plan.noise);
    const b = drawNoise(key(0, 0), plan.noise);
    const c = drawNoise(key(0, 1), plan.noise);
    const v = (t: tf.Tensor) => Array.from(t.dataSync());
    expect(v(a.z)).toEqual(v(b.z));
    expect(v(a.eps)).toEqual(v(b.eps));
    // The draws of the generated drawNoise this replaced: Rng('noise:<step seed>'), forks z and eps.
    const rng = new Rng(`noise:${stepSeed(0, 0)}`);
    expect(v(a.z)).toEqual(Array.from(rng.fork('z').fillNormal(new Float32Array(3 * 32))));
    expect(v(a.eps)).toEqual(Array.from(rng.fork('eps').fillNormal(new Float32Array(3 * 32))));
    expect(v(a.z)).not.toEqual(v(c.z));
    expect(v(a.z).slice(0, 32)).not.toEqual(v(a.eps));
    expect(v(c.z).slice(0, 32)).not.toEqual(v(a.eps)); // step k+1's z is not step k's ε
    tf.dispose([a, b, c].flatMap((n) => [n.z, n.eps]));
  });
});
