/**
 * DF-GAN discriminator step with and without the matching-aware gradient penalty (MA-GP needs the
 * gradient of D's input gradient: a second backward pass through D on the real pairs).
 * One Adam step of NetD + NetC on real/fake/mismatched pairs with DF-GAN's hinge loss, the fake
 * images from a fixed NetG; both variants measured in the same process, alternating, so the
 * ratio sees the same machine load.
 *
 *   npx tsx bench/dfgan-d-step.ts [--batch 8] [--size 64] [--nf 32] [--iters 5] [--warmup 2]
 *
 * Prints a markdown table (bench/README.md, section "DF-GAN D step").
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { hingeDiscriminatorLoss } from '../runtime/losses/hinge.js';
import { matchingAwareGradientPenalty } from '../runtime/losses/magp.js';
import { optimizeStep, readLosses } from '../runtime/optim/step.js';
import { Rng } from '../runtime/util/rng.js';
import { DfganGenerator, dfganDiscriminator } from '../test/fixtures/oracles/dfgan.js';

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const batch = arg('batch', 8);
const size = arg('size', 64);
const nf = arg('nf', 32);
const iters = arg('iters', 5);
const warmup = arg('warmup', 2);

const randn = (shape: number[], seed: string) => tf.tensor(new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);

await initBackend('tensorflow', { quiet: true });
const cfg = { nf, zDim: 100, condDim: 256, size };
const netG = new DfganGenerator(cfg);
const { netD, netC } = dfganDiscriminator(cfg);
// γ of every D_Block away from 0 so the residual branches carry gradient as after some training
for (const b of netD.blocks) b.gamma.assign(tf.fill([1], 0.5));
const img = tf.tanh(randn([batch, size, size, 3], 'img')) as tf.Tensor4D;
const sent = randn([batch, 256], 'sent') as tf.Tensor2D;
const fake = tf.tidy(() => netG.apply(randn([batch, 100], 'z') as tf.Tensor2D, sent));
const vars = [...netD.parameters(), ...netC.parameters()];
const opt = { penalty: tf.train.adam(4e-4, 0, 0.9), plain: tf.train.adam(4e-4, 0, 0.9) };

function step(penalty: boolean): number {
  const t0 = performance.now();
  const losses = optimizeStep(penalty ? opt.penalty : opt.plain, vars, () => {
    const d = (i: tf.Tensor4D, s: tf.Tensor2D) => netC.apply(netD.apply(i), s);
    let real: tf.Tensor1D;
    let gp: tf.Scalar | null = null;
    if (penalty) ({ logits: real, penalty: gp } = matchingAwareGradientPenalty(d, img, sent));
    else real = d(img, sent);
    const f = netD.apply(img);
    const mis = netC.apply(tf.concat([f.slice(1), f.slice(0, 1)]) as tf.Tensor4D, sent);
    const h = hingeDiscriminatorLoss({ real, fake: d(fake, sent), mismatched: mis });
    return { loss: gp ? (tf.add(h.loss, gp) as tf.Scalar) : h.loss };
  });
  readLosses(losses);
  return performance.now() - t0;
}

const times = { plain: [] as number[], penalty: [] as number[] };
const load0 = os.loadavg()[0]!;
for (let i = 0; i < warmup + iters; i++) {
  for (const p of [false, true]) {
    const ms = step(p);
    if (i >= warmup) times[p ? 'penalty' : 'plain'].push(ms);
  }
}
const load1 = os.loadavg()[0]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const [a, b] = [median(times.plain), median(times.penalty)];
console.log(`DF-GAN D step, batch ${batch}, ${size} px, nf ${nf} (NetD ${netD.parameterCount().toLocaleString('en')} + NetC ${netC.parameterCount().toLocaleString('en')} parameters), ${iters} timed steps each after ${warmup} warm-up, alternating`);
console.log(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; tensors left ${tf.memory().numTensors}`);
console.log('');
console.log('| D step | median ms | ratio |');
console.log('|---|---|---|');
console.log(`| hinge only | ${a.toFixed(0)} | 1.00 |`);
console.log(`| hinge + MA-GP | ${b.toFixed(0)} | ${(b / a).toFixed(2)} |`);
