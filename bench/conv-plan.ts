// Native `conv2d` vs patches + matMul (runtime/backend/conv-plan.ts) for every convolution shape of the
// birds AttnGAN2 discriminators and the generator's first stage, forward and forward+backward
// (gradients into the input and the weight), alternating the two formulations run by run.
//   npx tsx bench/conv-plan.ts [--batch 4] [--reps 5] [--only 0,3]
// Prints median ms per formulation and what `choosePlan` picks.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { choosePlan, conv2dPatches, convPlanOptions, explicitPads } from '../runtime/backend/conv-plan.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const B = Number(arg('batch', '4'));
const REPS = Number(arg('reps', '5'));
tf.env().set('PROD', true);
await initBackend('tensorflow', { quiet: true });

// [label, H (=W) of the input, k, stride, in, out, pad]
const shapes: Array<[string, number, number, number, number, number, 'same' | 'valid']> = [
  ['D 4×4/2 3→64 on 256', 256, 4, 2, 3, 64, 'same'],
  ['D 4×4/2 64→128 on 128', 128, 4, 2, 64, 128, 'same'],
  ['D 4×4/2 128→256 on 64', 64, 4, 2, 128, 256, 'same'],
  ['D 4×4/2 256→512 on 32', 32, 4, 2, 256, 512, 'same'],
  ['D 4×4/2 256→512 on 16', 16, 4, 2, 256, 512, 'same'],
  ['D 4×4/2 512→1024 on 16', 16, 4, 2, 512, 1024, 'same'],
  ['D 4×4/2 512→1024 on 8', 8, 4, 2, 512, 1024, 'same'],
  ['D 4×4/2 1024→2048 on 8', 8, 4, 2, 1024, 2048, 'same'],
  ['D 3×3 2048→1024 on 4', 4, 3, 1, 2048, 1024, 'same'],
  ['D 3×3 1024→512 on 4', 4, 3, 1, 1024, 512, 'same'],
  ['D 3×3 768→512 on 4 (joint)', 4, 3, 1, 768, 512, 'same'],
  ['D 4×4/4 512→1 on 4 (logits)', 4, 4, 4, 512, 1, 'valid'],
  ['G 3×3 512→512 on 8', 8, 3, 1, 512, 512, 'same'],
  ['G 3×3 256→256 on 16', 16, 3, 1, 256, 256, 'same'],
  ['G 3×3 128→128 on 32', 32, 3, 1, 128, 128, 'same'],
  ['G 3×3 64→64 on 64', 64, 3, 1, 64, 64, 'same'],
];
const only = arg('only', '');
const pick = only ? only.split(',').map(Number) : shapes.map((_, i) => i);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`batch ${B}, ${REPS} reps, median ms; fwd | fwd+bwd (dx, dw)`);
for (const i of pick) {
  const [label, h, k, s, cin, cout, pad] = shapes[i]!;
  const x = tf.randomNormal([B, h, h, cin]) as tf.Tensor4D;
  const w = tf.tidy(() => tf.variable(tf.randomNormal([k, k, cin, cout], 0, 0.05))) as tf.Variable<tf.Rank.R4>;
  const pads = explicitPads(h, h, k, k, s, pad);
  const run = (patches: boolean, backward: boolean): number => {
    const t0 = performance.now();
    tf.tidy(() => {
      const f = (xx: tf.Tensor4D) => {
        const y = patches ? conv2dPatches(xx, w, s, pads) : tf.conv2d(xx, w, s, pad);
        return tf.sum(tf.mul(y, y));
      };
      if (!backward) return void f(x).dataSync();
      const { value, grads } = tf.variableGrads(() => tf.add(f(x), 0) as tf.Scalar, [w]);
      const dx = tf.grad((xx: tf.Tensor) => f(xx as tf.Tensor4D))(x);
      value.dataSync();
      grads[w.name]!.dataSync();
      dx.dataSync();
    });
    return performance.now() - t0;
  };
  // Agreement (forward and both gradients) before timing.
  const diff = tf.tidy(() => {
    const fwd = (p: boolean) => (p ? conv2dPatches(x, w, s, pads) : tf.conv2d(x, w, s, pad));
    const a = fwd(false);
    const b = fwd(true);
    const rel = (u: tf.Tensor, v: tf.Tensor) => tf.div(tf.max(tf.abs(tf.sub(u, v))), tf.add(tf.max(tf.abs(u)), 1e-12)).dataSync()[0]!;
    const gw = (p: boolean) => tf.grad((ww: tf.Tensor) => tf.sum(tf.square(fwd2(p, x, ww as tf.Tensor4D))))(w);
    const fwd2 = (p: boolean, xx: tf.Tensor4D, ww: tf.Tensor4D) => (p ? conv2dPatches(xx, ww, s, pads) : tf.conv2d(xx, ww, s, pad));
    return Math.max(rel(a, b), rel(gw(false), gw(true)));
  });
  const res: Record<string, number[]> = { nf: [], pf: [], nb: [], pb: [] };
  run(false, false);
  run(true, false);
  run(false, true);
  run(true, true);
  for (let r = 0; r < REPS; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const p of order) res[p ? 'pf' : 'nf']!.push(run(p, false));
    for (const p of order) res[p ? 'pb' : 'nb']!.push(run(p, true));
  }
  const ho = Math.ceil(h / s);
  convPlanOptions.mode = 'auto';
  const plan = choosePlan({ input: x.shape, kh: k, kw: k, inChannels: cin, outChannels: cout, stride: s, outH: pad === 'valid' ? Math.floor((h - k) / s) + 1 : ho, outW: pad === 'valid' ? Math.floor((h - k) / s) + 1 : ho });
  const f = (v: number) => v.toFixed(1).padStart(8);
  console.log(
    `${label.padEnd(30)} native ${f(median(res.nf!))} | ${f(median(res.nb!))}   patches ${f(median(res.pf!))} | ${f(median(res.pb!))}   ` +
      `fwd+bwd ×${(median(res.nb!) / median(res.pb!)).toFixed(2)}   plan ${plan}   max rel diff ${diff.toExponential(1)}`,
  );
  x.dispose();
  w.dispose();
}
console.log(`tensors left: ${tf.memory().numTensors}`);
