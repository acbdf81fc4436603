import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { LeanAdamOptimizer } from '../runtime/train/adam.js';
await initBackend('tensorflow', { quiet: true });
const shapes = [[1000, 50], [1000, 50], [1000, 50], [1000, 50]];
for (const [label, opt] of [['stock', tf.train.adam(0.01)], ['lean', new LeanAdamOptimizer(0.01, 0.9, 0.999, 1e-8)]] as const) {
  const vs = shapes.map((s, i) => tf.variable(tf.ones(s), true, `${label}${i}`));
  const g = shapes.map((s) => tf.ones(s));
  for (let k = 0; k < 2; k++) {
    const s0 = tf.memory().numBytes;
    const p = await tf.profile(() => opt.applyGradients(Object.fromEntries(vs.map((v, i) => [v.name, g[i]!]))));
    console.log(label, 'peak-start', p.peakBytes - s0, 'kernels', p.kernels.length, 'max snapshot', Math.max(...p.kernels.map((x) => x.totalBytesSnapshot)) - s0, p.kernels.slice(0, 3).map((x) => [x.name, x.totalBytesSnapshot - s0]));
  }
}
