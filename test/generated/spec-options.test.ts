import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { bce } from '../../runtime/losses/bce.js';
import { partLoss } from '../../runtime/losses/parts.js';
import { partWordsLoss } from '../../runtime/losses/part-words.js';
import { drawNoise } from '../../runtime/model/noise.js';
import { readLosses } from '../../runtime/optim/index.js';
import { readManifest, resolveCheckpoint } from '../../runtime/io/checkpoint.js';
import { silentReporter } from '../../runtime/train/reporter.js';
import { train } from '../../runtime/train/trainer.js';
import { lossesByStep } from '../runtime/train/helpers.js';
import { capture } from '../cli/capture.js';

// Spec options of the learning work, in the code they generate: the tiny spec compiled with each
// (into the repository's ignored tmp/, where generated code resolves `attnc` as in generated/).
const ROOT = path.resolve(import.meta.dirname, '../..');
const tmp = path.join(ROOT, 'tmp', `spec-options-${process.pid}`);
const B = 4;

async function compiled(name: string, sets: string[]): Promise<any> {
  const out = path.join(tmp, name);
  capture();
  try {
    const code = await main(['compile', 'spec/tiny.yaml', '-o', out, '--no-typecheck', ...sets.flatMap((s) => ['--set', s])]);
    expect(code).toBe(0);
  } finally {
    vi.restoreAllMocks();
  }
  return import(path.join(out, 'index.ts'));
}

function batch(): { tokens: tf.Tensor2D; lengths: number[]; images: [tf.Tensor4D, tf.Tensor4D]; classIds: number[] } {
  const lengths = [6, 5, 4, 3];
  const ids = Array.from({ length: B * 6 }, (_, i) => (i % 6 < lengths[Math.floor(i / 6)]! ? 1 + ((i * 7) % 29) : 0));
  const images64 = tf.randomUniform([B, 64, 64, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  return { tokens: tf.tensor2d(ids, [B, 6], 'int32'), lengths, images: [tf.image.resizeBilinear(images64, [32, 32]) as tf.Tensor4D, images64], classIds: [0, 1, 2, 3] };
}

/** G on the batch's captions with fixed sample noise, in eval mode: the encoded captions and G's outputs. Call inside a tidy. */
function sampleForward(g: any, model: any, b: ReturnType<typeof batch>): { captions: any; out: any } {
  const captions = g.encodeCaptions(model.textEncoder, b.tokens, b.lengths, false);
  const noise = drawNoise({ purpose: 'sample', seed: 0, indices: [0, 1, 2, 3] }, g.plan.noise);
  const out = model.generator.apply({ z: noise.z, sentence: captions.sentence, words: captions.words, mask: captions.mask, training: false, noise: noise.eps });
  return { captions, out };
}

/** The BCE terms an AttnGAN discriminator loss returns (the loss options under test must leave them as they are). */
const BCE_TERMS = ['condReal', 'condFake', 'condWrong', 'uncondReal', 'uncondFake'] as const;

/** A D loss's other inputs for the batch: a random sentence code and the real images mirrored as "fakes". The caller disposes them. */
function discriminatorInputs(b: ReturnType<typeof batch>): { sentence: tf.Tensor2D; fakes: tf.Tensor4D[] } {
  const sentence = tf.randomNormal([B, 64], 0, 1, 'float32', 5) as tf.Tensor2D;
  return { sentence, fakes: b.images.map((im) => tf.reverse(im, 1)) as tf.Tensor4D[] };
}

beforeAll(() => fs.mkdirSync(tmp, { recursive: true }));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('losses[damsm].warmup_steps', () => {
  it('ramps λ linearly from 0 at G step 0 to its value at warmup_steps, constant after', async () => {
    const g = await compiled('warmup', ['losses[1].warmup_steps=4']);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    try {
      const damsmAt = (step: number) =>
        tf.tidy(() => {
          const { captions, out } = sampleForward(g, model, b);
          const l = g.generatorLoss(out, model.discriminators, model.imageEncoder, captions, b.lengths, b.classIds, step);
          return l.damsm.dataSync()[0]!;
        });
      const full = damsmAt(4);
      expect(full).toBeGreaterThan(0);
      expect(damsmAt(0)).toBe(0);
      expect(damsmAt(1)).toBeCloseTo(full / 4, 4);
      expect(damsmAt(2)).toBeCloseTo(full / 2, 4);
      expect(damsmAt(100)).toBeCloseTo(full, 5);
      // And the GAN step reads the batch's step: the DAMSM term is 0 at step 0, not at step 2; no leaks.
      const opts = g.createGanOptimizers();
      const ganDamsm = (step: number) => {
        const noise = drawNoise({ purpose: 'train', seed: 1, step, batchSize: B }, g.plan.noise);
        const r = g.ganStep(model, opts, { images: b.images, tokens: b.tokens, lengths: b.lengths, classIds: b.classIds, step }, noise, null);
        r.discriminators.forEach((d: any) => readLosses(d));
        tf.dispose([noise.z, noise.eps]);
        return readLosses(r.generator).damsm!;
      };
      expect(ganDamsm(0)).toBe(0);
      const before = tf.memory().numTensors;
      expect(ganDamsm(2)).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
      opts.generator.dispose();
      opts.discriminators.forEach((o: any) => o.dispose());
    } finally {
      tf.dispose([b.tokens, ...b.images]);
      g.disposeModel(model);
    }
  });
});

describe('image_encoder.part_loss and pooling: parts', () => {
  it('the DAMSM step adds weight × the part cross-entropy of the encoder head against Batch.parts', async () => {
    const g = await compiled('parts', ['image_encoder.part_loss.weight=0.5', 'image_encoder.pooling=parts']);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    const shares = tf.tidy(() => tf.softmax(tf.randomNormal([B, 8, 8, 6], 0, 1, 'float32', 4)) as tf.Tensor4D);
    try {
      // The loss the step will see, computed first (the step updates the weights afterwards).
      const want = tf.tidy(() => partLoss(model.imageEncoder.partLogits(model.imageEncoder.apply(b.images[1], true).regions), shares).dataSync()[0]! * 0.5);
      const losses = readLosses(g.damsmStep(model, g.createDamsmOptimizer(0), { images: b.images[1], tokens: b.tokens, lengths: b.lengths, classIds: b.classIds, parts: shares }, 1));
      expect(Object.keys(losses).sort()).toEqual(['loss', 'parts', 'sentence0', 'sentence1', 'words0', 'words1']);
      expect(losses.parts).toBeCloseTo(want, 4);
      expect(losses.loss).toBeCloseTo(losses.words0! + losses.words1! + losses.sentence0! + losses.sentence1! + losses.parts!, 3);
      expect(g.plan.phases.damsm.partGrid).toBe(8);
    } finally {
      tf.dispose([b.tokens, ...b.images, shares]);
      g.disposeModel(model);
    }
  });
});

describe('generator.conditioning_augmentation: false', () => {
  it('emits cond_net (GLU of a linear, no ε, no mu/logvar), the graph names its parameters, and a GAN step trains without a KL term', async () => {
    const g = await compiled('no-ca', ['generator.conditioning_augmentation=false', 'losses=[{type: adversarial}, {type: damsm, lambda: 5, gamma1: 4, gamma2: 5, gamma3: 10}]']);
    const graph = JSON.parse(fs.readFileSync(path.join(tmp, 'no-ca', 'graph.json'), 'utf8')).graph;
    const genGraph = graph.networks.find((n: any) => n.id === 'generator');
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    try {
      expect(model.generator.namedParameterShapes()).toEqual(genGraph.params.map((p: any) => [p.name, p.shape]));
      expect(genGraph.params.slice(0, 2).map((p: any) => [p.name, p.shape])).toEqual([
        ['cond_net.fc.weight', [64, 64]],
        ['cond_net.fc.bias', [64]],
      ]);
      expect(g.plan.noise.condition).toBe(0);
      const captions = g.encodeCaptions(model.textEncoder, b.tokens, b.lengths, false);
      const noise = drawNoise({ purpose: 'sample', seed: 0, indices: [0, 1, 2, 3] }, g.plan.noise);
      const run = () => model.generator.apply({ z: noise.z, sentence: captions.sentence, words: captions.words, mask: captions.mask, training: false });
      const [a, again] = [run(), run()];
      expect('mu' in a).toBe(false);
      // No ε: the same z and caption give the same pictures, and the first stage reads the caption.
      expect(tf.max(tf.abs(tf.sub(a.images[1], again.images[1]))).dataSync()[0]).toBe(0);
      const c = model.generator.cond_net.apply(captions.sentence);
      expect(c.shape).toEqual([B, 32]);
      const shifted = tf.concat([captions.sentence.slice([1, 0]), captions.sentence.slice([0, 0], [1, -1])]);
      const other = model.generator.apply({ z: noise.z, sentence: shifted, words: captions.words, mask: captions.mask, training: false });
      expect(tf.max(tf.abs(tf.sub(a.images[0], other.images[0]))).dataSync()[0]).toBeGreaterThan(1e-4);
      tf.dispose([c, shifted, noise.z, noise.eps, captions.words, captions.sentence, ...(captions.mask ? [captions.mask] : []), ...a.images, ...a.attn, ...again.images, ...again.attn, ...other.images, ...other.attn]);
      const opts = g.createGanOptimizers();
      const step = (i: number) => {
        const n = drawNoise({ purpose: 'train', seed: 1, step: i, batchSize: B }, g.plan.noise);
        const r = g.ganStep(model, opts, { images: b.images, tokens: b.tokens, lengths: b.lengths, classIds: b.classIds, step: i }, n, null);
        r.discriminators.forEach((d: any) => readLosses(d));
        tf.dispose([n.z, n.eps]);
        return readLosses(r.generator);
      };
      const first = step(0);
      expect(Object.keys(first)).not.toContain('kl');
      const before = tf.memory().numTensors;
      const weight = () => model.generator.cond_net.fc.weight.dataSync().slice();
      const w0 = weight();
      step(1);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(weight())).not.toEqual(Array.from(w0));
      opts.generator.dispose();
      opts.discriminators.forEach((o: any) => o.dispose());
    } finally {
      tf.dispose([b.tokens, ...b.images]);
      g.disposeModel(model);
    }
  });
});

describe('losses[adversarial].weights', () => {
  it("multiplies each BCE term inside the original's averages in D's loss, and G's conditional and unconditional terms", async () => {
    const w = { conditional: 0.5, unconditional: 2, mismatched: 3 };
    const g = await compiled('adv-weights', [`losses[0].weights={conditional: ${w.conditional}, unconditional: ${w.unconditional}, mismatched: ${w.mismatched}}`]);
    const plain = await compiled('adv-weights-off', []);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    try {
      const { sentence, fakes } = discriminatorInputs(b);
      for (const [i, d] of model.discriminators.entries()) {
        const weighted = readLosses(g.discriminatorLoss(d, b.images[i], fakes[i], sentence));
        const t = readLosses(plain.discriminatorLoss(d, b.images[i], fakes[i], sentence));
        // The logged terms are the unweighted BCEs; the loss weights them inside /2 and /3.
        for (const k of BCE_TERMS) expect(weighted[k]).toBeCloseTo(t[k]!, 5);
        const want = (w.unconditional * t.uncondReal! + w.conditional * t.condReal!) / 2 + (w.unconditional * t.uncondFake! + w.conditional * t.condFake! + w.mismatched * t.condWrong!) / 3;
        expect(weighted.loss).toBeCloseTo(want, 4);
        expect(Math.abs(weighted.loss! - t.loss!)).toBeGreaterThan(1e-3);
      }
      // G: Σ over discriminators of w_c·BCE(cond, 1) + w_u·BCE(uncond, 1) on the generated images.
      tf.tidy(() => {
        const { captions, out } = sampleForward(g, model, b);
        const bce1 = (p: tf.Tensor) => bce(p, 1).dataSync()[0]!;
        let want = 0;
        model.discriminators.forEach((d: any, i: number) => {
          const code = d.code(out.images[i], true);
          want += w.conditional * bce1(d.COND_DNET.apply(code, captions.sentence, true)) + w.unconditional * bce1(d.UNCOND_DNET.apply(code));
        });
        const got = readLosses(g.generatorLoss(out, model.discriminators, model.imageEncoder, captions, b.lengths, b.classIds, 10_000)).adversarial!;
        expect(got).toBeCloseTo(want, 3);
      });
      tf.dispose([sentence, ...fakes]);
    } finally {
      tf.dispose([b.tokens, ...b.images]);
      g.disposeModel(model);
    }
  });
});

describe('losses: ma_gp beside adversarial (AttnGAN discriminators)', () => {
  it("adds k·mean ‖(∂logit/∂image, ∂logit/∂sentence)‖^p of the conditional head at the real pairs to each D loss, and a D step descends it", async () => {
    const g = await compiled('magp', ['losses=[{type: adversarial}, {type: damsm, lambda: 5, gamma1: 4, gamma3: 10}, {type: kl}, {type: ma_gp, weight: 2, power: 6}]']);
    const plain = await compiled('magp-off', []);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    try {
      const { sentence, fakes } = discriminatorInputs(b);
      for (const [i, d] of model.discriminators.entries()) {
        // The penalty by hand: input gradients of the summed pre-sigmoid conditional logits, per sample
        // flattened and joined, ‖·‖^6 averaged, × 2.
        const want = tf.tidy(() => {
          const [gx, gs] = tf.grads((x: tf.Tensor, s: tf.Tensor) => tf.sum(d.COND_DNET.logits(d.code(x as tf.Tensor4D, true), s as tf.Tensor2D, true)))([b.images[i]!, sentence]);
          const n2 = tf.add(tf.sum(tf.square(tf.reshape(gx!, [B, -1])), 1), tf.sum(tf.square(gs!), 1));
          return 2 * tf.mean(tf.pow(n2, 3)).dataSync()[0]!;
        });
        const withGp = readLosses(g.discriminatorLoss(d, b.images[i], fakes[i], sentence));
        const without = readLosses(plain.discriminatorLoss(d, b.images[i], fakes[i], sentence));
        expect(want).toBeGreaterThan(0);
        expect(Math.abs(withGp.penalty! - want) / want).toBeLessThan(1e-3);
        // The BCE terms are the original's: the same as the spec without the penalty; the loss adds it.
        for (const k of BCE_TERMS) expect(withGp[k]).toBeCloseTo(without[k]!, 4);
        expect(withGp.loss).toBeCloseTo(without.loss! + withGp.penalty!, 3);
      }
      // D steps through the generated discriminatorStep: the penalty falls, and nothing leaks.
      const opts = g.createGanOptimizers();
      const captions = g.encodeCaptions(model.textEncoder, b.tokens, b.lengths, false);
      const noise = drawNoise({ purpose: 'train', seed: 1, step: 0, batchSize: B }, g.plan.noise);
      const step = () => g.discriminatorStep(model, opts, { ...b, step: 0 }, captions, noise).map((l: any) => readLosses(l).penalty!);
      const first = step();
      const before = tf.memory().numTensors;
      let last = first;
      for (let s = 0; s < 5; s++) last = step();
      expect(tf.memory().numTensors).toBe(before);
      first.forEach((p: number, i: number) => expect(last[i]!).toBeLessThan(p));
      tf.dispose([sentence, ...fakes, captions.words, captions.sentence, captions.mask, noise.z, noise.eps]);
      opts.generator.dispose();
      opts.discriminators.forEach((o: any) => o.dispose());
    } finally {
      tf.dispose([b.tokens, ...b.images]);
      g.disposeModel(model);
    }
  });
});

describe('losses[damsm].negative_queue', () => {
  it("widens G's DAMSM term with the last N captions of earlier batches, kept across GAN steps without leaks", async () => {
    const g = await compiled('queue', ['losses[1].negative_queue=8']);
    expect(g.model.gan.createNegativeQueue).toBe(g.createNegativeQueue);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    // Other captions: the same lengths, other words and other classes.
    const other = tf.tensor2d(Array.from(b.tokens.dataSync(), (id) => (id ? 1 + ((id * 5) % 29) : 0)), b.tokens.shape, 'int32');
    const queue = g.createNegativeQueue();
    try {
      expect(queue.capacity).toBe(8);
      const damsm = () =>
        tf.tidy(() => {
          const { captions, out } = sampleForward(g, model, b);
          return g.generatorLoss(out, model.discriminators, model.imageEncoder, captions, b.lengths, b.classIds, queue).damsm.dataSync()[0]!;
        });
      const alone = damsm();
      tf.tidy(() => queue.push(g.encodeCaptions(model.textEncoder, other, b.lengths, false), b.lengths, [4, 5, 6, 7]));
      // Four more negatives in every image's row: the image → caption terms can only grow; the rest is unchanged.
      expect(damsm()).toBeGreaterThan(alone + 1e-3);
      queue.dispose();

      // The GAN step fills the queue, newest first, up to its capacity; the tensor count stays flat once it is full.
      const opts = g.createGanOptimizers();
      const step = (i: number) => {
        const noise = drawNoise({ purpose: 'train', seed: 1, step: i, batchSize: B }, g.plan.noise);
        const r = g.ganStep(model, opts, { images: b.images, tokens: b.tokens, lengths: b.lengths, classIds: b.classIds }, noise, null, queue);
        r.discriminators.forEach((d: any) => readLosses(d));
        readLosses(r.generator);
        tf.dispose([noise.z, noise.eps]);
      };
      step(0);
      expect(queue.size).toBe(4);
      step(1);
      expect(queue.size).toBe(8);
      const before = tf.memory().numTensors;
      step(2);
      expect(queue.size).toBe(8);
      expect(tf.memory().numTensors).toBe(before);
      opts.generator.dispose();
      opts.discriminators.forEach((o: any) => o.dispose());
    } finally {
      queue.dispose();
      tf.dispose([b.tokens, other, ...b.images]);
      g.disposeModel(model);
    }
  });

  it('resumes exactly: checkpoints keep the queue, and a run stopped mid-phase ends with the same bits', async () => {
    const g = await compiled('queue-resume', ['losses[1].negative_queue=6']);
    const plan = structuredClone(g.model.plan);
    plan.data.dataset = { ...plan.data.dataset, images: 96 };
    plan.phases.damsm = { ...plan.phases.damsm, batchSize: 8, epochs: 1, logEvery: 1, snapshotInterval: 1 };
    plan.phases.gan = { ...plan.phases.gan, batchSize: 4, epochs: 1, logEvery: 1, snapshotInterval: 1, sampleEvery: 1000 };
    const gen = { ...g.model, plan };
    const whole = await train({ gen, generatedDir: null, runDir: path.join(tmp, 'q-whole'), reporter: silentReporter() });
    const last = readManifest(resolveCheckpoint(whole.runDir));
    expect(Object.keys(last.files)).toEqual(expect.arrayContaining(['negatives.safetensors', 'negatives.json']));
    const parts = path.join(tmp, 'q-parts');
    // DAMSM: 12 steps; stops at GAN steps 5 and 14 (the queue full and mid-way through its turnover).
    let runs = 0;
    for (const n of [17, 9, 100]) {
      await train({ gen, generatedDir: null, runDir: parts, ...(runs++ ? { resume: resolveCheckpoint(parts) } : {}), maxSteps: n, reporter: silentReporter() });
    }
    const files = (dir: string) => {
      const m = readManifest(resolveCheckpoint(dir));
      return Object.fromEntries(Object.entries(m.files).filter(([f]) => f.endsWith('.safetensors') || f === 'negatives.json').map(([f, e]) => [f, e.sha256]));
    };
    expect(files(parts)).toEqual(files(whole.runDir));
    const losses = lossesByStep(whole.runDir);
    const resumed = lossesByStep(parts);
    for (const k of ['gan:6', 'gan:15', 'gan:24']) expect(resumed.get(k), k).toEqual(losses.get(k));

    // A checkpoint whose queue files agree with its manifest but not with each other (a crafted or
    // mis-written one): a clear error naming the file, not a stack trace or a silently empty queue.
    const bad = path.join(tmp, 'q-bad');
    await train({ gen, generatedDir: null, runDir: bad, maxSteps: 15, reporter: silentReporter() }); // stops at GAN step 3
    const ckpt = resolveCheckpoint(bad);
    const metaFile = path.join(ckpt, 'negatives.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { lengths: number[] };
    const text = JSON.stringify({ ...meta, lengths: meta.lengths.slice(1) });
    fs.writeFileSync(metaFile, text);
    const manifestFile = path.join(ckpt, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.files['negatives.json'] = { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    await expect(train({ gen, generatedDir: null, runDir: bad, resume: ckpt, maxSteps: 1, reporter: silentReporter() })).rejects.toMatchObject({
      code: 'ATTNC_CHECKPOINT',
      message: expect.stringMatching(/negatives\.safetensors: the saved negative captions are not a queue/),
    });
  });
});

describe('losses[damsm].part_words', () => {
  it("adds weight × the part-word loss to G's loss (frozen encoders) and to the DAMSM step (both encoders train); both phases' batches bring the word parts", async () => {
    const g = await compiled('part-words', ['image_encoder.part_loss={weight: 1}', 'losses[1].part_words={weight: 2, pretrain_weight: 2}']);
    expect(g.plan.phases.gan.wordParts).toBe(true);
    const model = g.createModel({ vocabSize: 30, seed: 1 });
    const b = batch();
    // Captions of 6, 5, 4 and 3 words: some words name wing (1), belly (2), crown (3) or the beak (4).
    const named = Int32Array.from([-1, 1, -1, 3, -1, -1, 2, -1, -1, -1, -1, -1, -1, 4, 1, -1, -1, -1, -1, 3, -1, -1, -1, -1]);
    try {
      const terms = (wordParts: Int32Array) =>
        tf.tidy(() => {
          const { captions, out } = sampleForward(g, model, b);
          const l = g.generatorLoss(out, model.discriminators, model.imageEncoder, captions, b.lengths, b.classIds, wordParts);
          const { regions } = model.imageEncoder.apply(out.images[1], false);
          const p = partWordsLoss(regions, model.imageEncoder.partLogits(regions), captions.words, wordParts, b.classIds, { gamma2: 5, gamma3: 10 });
          const read = (t: tf.Tensor) => t.dataSync()[0]!;
          return { loss: read(l.loss), partWords: read(l.partWords), rest: read(l.adversarial) + read(l.damsm) + read(l.kl), want: 2 * (read(p.loss0) + read(p.loss1)) };
        });
      const t = terms(named);
      expect(t.partWords).toBeGreaterThan(0);
      expect(t.partWords).toBeCloseTo(t.want, 4);
      expect(t.loss).toBeCloseTo(t.rest + t.partWords, 3);
      // The same words said of other parts: another term.
      expect(Math.abs(terms(named.map((k) => (k < 0 ? k : 1 + (k % 4)))).partWords - t.partWords)).toBeGreaterThan(1e-4);
      // The DAMSM phase trains both encoders on it too, with the same weight.
      expect(g.plan.phases.damsm.wordParts).toBe(true);
      const shares = tf.tidy(() => tf.softmax(tf.randomNormal([B, 8, 8, 6], 0, 1, 'float32', 4)) as tf.Tensor4D);
      const want = tf.tidy(() => {
        const text = g.encodeCaptions(model.textEncoder, b.tokens, b.lengths, true, 1);
        const { regions } = model.imageEncoder.apply(b.images[1], true);
        return 2 * g.partWordTerm(model.imageEncoder, regions, text.words, named, b.classIds).dataSync()[0]!;
      });
      const losses = readLosses(g.damsmStep(model, g.createDamsmOptimizer(0), { images: b.images[1], tokens: b.tokens, lengths: b.lengths, classIds: b.classIds, parts: shares, wordParts: named }, 1));
      shares.dispose();
      expect(losses.partWords).toBeCloseTo(want, 4);
      expect(losses.loss).toBeCloseTo(losses.words0! + losses.words1! + losses.sentence0! + losses.sentence1! + losses.parts! + losses.partWords!, 3);
    } finally {
      tf.dispose([b.tokens, ...b.images]);
      g.disposeModel(model);
    }

    // End to end: the trainer asks the synthetic birds for word parts, and the term is logged.
    const plan = structuredClone(g.model.plan);
    plan.data.dataset = { ...plan.data.dataset, images: 48 };
    plan.phases.damsm = { ...plan.phases.damsm, batchSize: 8, epochs: 1, logEvery: 1, snapshotInterval: 1 };
    plan.phases.gan = { ...plan.phases.gan, batchSize: 4, epochs: 1, logEvery: 1, snapshotInterval: 1, sampleEvery: 1000 };
    const run = await train({ gen: { ...g.model, plan }, generatedDir: null, runDir: path.join(tmp, 'pw-run'), maxSteps: 9, reporter: silentReporter() });
    for (const [phase, key] of [['damsm', 'encoders/partWords'], ['gan', 'generator/partWords']]) {
      const logged = [...lossesByStep(run.runDir)].filter(([k]) => k.startsWith(`${phase}:`)).map(([, v]) => v[key!]);
      expect(logged.length, phase).toBeGreaterThan(0);
      for (const v of logged) expect(v, phase).toBeGreaterThan(0);
    }
  });
});
