/**
 * `npx tsx bench/generated-vs-hand.ts [--runs 15] [--batch 4]` — one GAN training step (every D,
 * then G) through the generated code of spec/attngan1.yaml (birds: gf 32, df 64, 64/128 px, 2
 * residual blocks) vs the same model composed by hand from the runtime (the HandGenerator fixture,
 * runtime DNet, the runtime losses). Both start from the same seeded weights and see the same
 * inputs and noise, so the first step's losses must agree; the runs are interleaved and the median
 * step times compared. The DAMSM term of the G loss uses a small CNN image encoder in both paths
 * (the Inception encoder would dominate the step without telling us anything about composition).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { DNet } from '../test/fixtures/oracles/d-net.js';
import { CnnImageEncoder } from '../runtime/encoders/image.js';
import { discriminatorLoss as ganDiscriminatorLoss, generatorAdvLoss, klLoss, mismatchedPairs, sentLoss, wordsLoss } from '../runtime/losses/index.js';
import { initLikeAttnGAN, Rng } from '../runtime/nn/index.js';
import { adam, optimizeStep, readLosses } from '../runtime/optim/index.js';
import { buildHandGenerator } from '../test/fixtures/oracles/hand-generator.js';
import { createDiscriminators, discriminatorLoss, Generator, generatorLoss, type Captions } from '../generated/attngan1/index.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const runs = arg('--runs', 15);
const B = arg('--batch', 4);
const T = 12;

const info = await initBackend(undefined, { quiet: true });
const lengths = Array.from({ length: B }, (_, i) => T - (i % 4));
const classIds = Array.from({ length: B }, (_, i) => i);

// Shared inputs: caption features as a frozen text encoder would give them, real images, noise.
const inputs = tf.tidy(() => {
  const words = tf.randomNormal([B, T, 256], 0, 0.3, 'float32', 1) as tf.Tensor3D;
  const sentence = tf.randomNormal([B, 256], 0, 0.3, 'float32', 2) as tf.Tensor2D;
  const mask = tf.tensor2d(lengths.flatMap((n) => Array.from({ length: T }, (_, t) => (t >= n ? 1 : 0))), [B, T], 'bool');
  const real128 = tf.randomUniform([B, 128, 128, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const real64 = tf.image.resizeBilinear(real128, [64, 64], true) as tf.Tensor4D;
  const z = tf.randomNormal([B, 100], 0, 1, 'float32', 4) as tf.Tensor2D;
  const eps = tf.randomNormal([B, 100], 0, 1, 'float32', 5) as tf.Tensor2D;
  return { words, sentence, mask, real: [real64, real128] as const, z, eps };
});
const captions: Captions = { words: inputs.words, sentence: inputs.sentence, mask: inputs.mask };

const seed = new Rng('bench:generated-vs-hand');
const newEncoder = () => {
  const e = new CnnImageEncoder({ inputSize: 128, nef: 256, channels: [16, 32, 64, 128], globalChannels: 256 });
  e.resetParameters(seed.fork('image_encoder'));
  return e.freeze();
};
const damsm = { gamma1: 4, gamma2: 5, gamma3: 10 };
const adamCfg = { lr: 0.0002, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };

// ── generated path ──
const gen = {
  generator: new Generator(),
  discriminators: createDiscriminators(),
  imageEncoder: newEncoder(),
  opts: { g: adam(adamCfg), d: [adam(adamCfg), adam(adamCfg)] },
};
initLikeAttnGAN(gen.generator, seed.fork('generator'));
gen.discriminators.forEach((d, i) => initLikeAttnGAN(d, seed.fork(`d${i}`)));

function generatedStep(): number[] {
  const fakes = tf.tidy(() => gen.generator.apply({ ...captions, z: inputs.z, training: true, noise: inputs.eps }).images);
  const out = gen.discriminators.map((d, i) =>
    readLosses(optimizeStep(gen.opts.d[i]!, d.trainableParameters(), () => discriminatorLoss(d, inputs.real[i], fakes[i], captions.sentence))).loss!,
  );
  tf.dispose(fakes);
  const g = readLosses(optimizeStep(gen.opts.g, gen.generator.trainableParameters(), () => {
    const o = gen.generator.apply({ ...captions, z: inputs.z, training: true, noise: inputs.eps });
    return generatorLoss(o, gen.discriminators, gen.imageEncoder, captions, lengths, classIds);
  }));
  return [...out, g.loss!];
}

// ── hand-composed path ──
const hand = {
  generator: buildHandGenerator({ gfDim: 32, rNum: 2, stages: 2 }),
  discriminators: [new DNet({ size: 64, ndf: 64, nef: 256 }), new DNet({ size: 128, ndf: 64, nef: 256 })],
  imageEncoder: newEncoder(),
  opts: { g: adam(adamCfg), d: [adam(adamCfg), adam(adamCfg)] },
};
initLikeAttnGAN(hand.generator, seed.fork('generator'));
hand.discriminators.forEach((d, i) => initLikeAttnGAN(d, seed.fork(`d${i}`)));

function handStep(): number[] {
  const fakes = tf.tidy(() => hand.generator.apply({ sent: captions.sentence, words: captions.words, mask: captions.mask, z: inputs.z, training: true, noise: inputs.eps }).images);
  const out = hand.discriminators.map((d, i) =>
    readLosses(optimizeStep(hand.opts.d[i]!, d.trainableParameters(), () => {
      const realCode = d.apply(inputs.real[i], true);
      const fakeCode = d.apply(fakes[i]!, true);
      const wrong = mismatchedPairs(realCode, captions.sentence);
      return ganDiscriminatorLoss({
        realCond: d.COND_DNET!.apply(realCode, captions.sentence, true),
        fakeCond: d.COND_DNET!.apply(fakeCode, captions.sentence, true),
        wrongCond: d.COND_DNET!.apply(wrong.image, wrong.sentence, true),
        realUncond: d.UNCOND_DNET!.apply(realCode),
        fakeUncond: d.UNCOND_DNET!.apply(fakeCode),
      });
    })).loss!,
  );
  tf.dispose(fakes);
  const g = readLosses(optimizeStep(hand.opts.g, hand.generator.trainableParameters(), () => {
    const o = hand.generator.apply({ sent: captions.sentence, words: captions.words, mask: captions.mask, z: inputs.z, training: true, noise: inputs.eps });
    const adversarial = generatorAdvLoss(
      hand.discriminators.map((d, i) => {
        const code = d.apply(o.images[i]!, true);
        return { fakeCond: d.COND_DNET!.apply(code, captions.sentence, true), fakeUncond: d.UNCOND_DNET!.apply(code) };
      }),
    ).loss;
    const { regions, global } = hand.imageEncoder.apply(o.images[1]!, false);
    const w = wordsLoss(regions, captions.words, lengths, classIds, { ...damsm, returnAttnMaps: false });
    const s = sentLoss(global, captions.sentence, classIds, { gamma3: damsm.gamma3 });
    const damsmLoss = tf.mul(tf.addN([w.loss0, w.loss1, s.loss0, s.loss1]), 5) as tf.Scalar;
    const kl = klLoss(o.mu, o.logvar);
    return { loss: tf.addN([adversarial, damsmLoss, kl]) as tf.Scalar };
  }));
  return [...out, g.loss!];
}

console.log(
  `GAN step (D64 + D128 + G), attngan1 birds architecture, batch ${B}, T ${T}; backend ${info.name}; ${os.cpus().length} CPUs; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
const a = generatedStep();
const b = handStep();
const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1, Math.abs(b[i]!))));
console.log(`first-step losses  generated [${a.map((x) => x.toFixed(5)).join(', ')}]  hand [${b.map((x) => x.toFixed(5)).join(', ')}]  max rel diff ${maxDiff.toExponential(2)}`);

// More warm-up: the first few steps of each path run 1.5–2× slower (allocator and kernel caches
// settling), which with few runs dominated the medians.
for (let i = 0; i < 3; i++) {
  generatedStep();
  handStep();
}
const tg: number[] = [];
const th: number[] = [];
// CPU time of the process (all native TensorFlow threads included): far less sensitive than wall
// time to other jobs on a shared box.
const cg: number[] = [];
const ch: number[] = [];
const tensorsBefore = tf.memory().numTensors;
for (let r = 0; r < runs; r++) {
  // Interleaved, alternating which goes first, so drifting machine load hits both alike.
  const order = r % 2 === 0 ? ['g', 'h'] : ['h', 'g'];
  for (const which of order) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (which === 'g') generatedStep();
    else handStep();
    (which === 'g' ? tg : th).push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    (which === 'g' ? cg : ch).push((c.user + c.system) / 1000);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const mg = median(tg);
const mh = median(th);
console.log(`generated: median ${(mg / 1000).toFixed(3)} s  [${tg.map((t) => (t / 1000).toFixed(2)).join(', ')}]`);
console.log(`hand:      median ${(mh / 1000).toFixed(3)} s  [${th.map((t) => (t / 1000).toFixed(2)).join(', ')}]`);
console.log(`CPU per step: generated median ${(median(cg) / 1000).toFixed(3)} s, hand median ${(median(ch) / 1000).toFixed(3)} s, ratio ${(median(cg) / median(ch)).toFixed(3)}`);
console.log(`ratio generated / hand (wall) = ${(mg / mh).toFixed(3)} (target ≤ 1.05); tensors leaked over ${runs} runs: ${tf.memory().numTensors - tensorsBefore}`);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
