// upBlock's nearest ×2 upsampling + 3×3 convolution: 'resize-conv' (the two ops) against
// 'transposed' (one stride-2 transposed conv with the folded 4×4 kernel, runtime/blocks/upsample-conv.ts)
// for the birds generator's upBlock shapes, forward and forward+backward (gradients into the input
// and the 3×3 weight), alternating the plans run by run.
//   npx tsx bench/upsample-conv.ts [--reps 7]
// Prints the best ms of each plan and what `upsampleConvPlan` picks.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { upsampleConv3x3, upsampleConvOptions, upsampleConvPlan } from '../runtime/blocks/upsample-conv.js';
import { Rng } from '../runtime/util/rng.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const REPS = Number(arg('reps', '7'));
tf.env().set('PROD', true);
await initBackend('tensorflow', { quiet: true });

// [batch, H (=W) of the low-resolution input, in, out]: G's stage-1 upBlocks, then stages 2 and 3.
const shapes: Array<[number, number, number, number]> = [
  [1, 4, 1024, 1024],
  [1, 8, 512, 512],
  [1, 16, 256, 256],
  [1, 32, 128, 128],
  [1, 64, 64, 64],
  [1, 128, 64, 64],
  [4, 8, 512, 512],
  [4, 16, 256, 256],
  [4, 32, 128, 128],
  [4, 64, 64, 64],
  [4, 128, 64, 64],
];
const normal = (shape: [number, number, number, number], seed: number, scale = 1) =>
  tf.tensor(new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b))).map((v) => v * scale), shape) as tf.Tensor4D;

const best = (f: () => tf.Tensor | tf.Tensor[]) => {
  let ms = Infinity;
  for (let i = 0; i < REPS + 2; i++) {
    const t = performance.now();
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    tf.tidy(() => tf.addN(list.map((x) => tf.sum(x))).dataSync()); // a scalar read: the kernels are done
    if (i >= 2) ms = Math.min(ms, performance.now() - t);
    tf.dispose(list);
  }
  return ms;
};

console.log('shape (input → output)            | resize-conv fwd / fwd+bwd ms | transposed fwd / fwd+bwd ms | auto picks');
for (const [b, h, cin, cout] of shapes) {
  const x = normal([b, h, h, cin], 1);
  const w = normal([3, 3, cin, cout], 2, 0.05);
  const row: string[] = [];
  for (const plan of ['resize-conv', 'transposed'] as const) {
    upsampleConvOptions.plan = plan;
    const fwd = best(() => upsampleConv3x3(x, w));
    const grads = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(upsampleConv3x3(a as tf.Tensor4D, k as tf.Tensor4D)));
    const both = best(() => grads([x, w]));
    row.push(`${fwd.toFixed(2).padStart(7)} / ${both.toFixed(1).padStart(7)}`);
  }
  upsampleConvOptions.plan = 'auto';
  const label = `${b}×${h}²×${cin} → ${b}×${2 * h}²×${cout}`;
  console.log(`${label.padEnd(33)} | ${row[0]!.padEnd(28)} | ${row[1]!.padEnd(27)} | ${upsampleConvPlan([b, h, h, cin])}`);
  tf.dispose([x, w]);
}
