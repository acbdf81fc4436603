// Transient memory of one Adam update: tfjs's AdamOptimizer (every variable's temporaries live
// until the last variable is done) vs runtime/optim/adam.ts's LeanAdamOptimizer (per variable,
// disposed as it goes). Bytes above the start, after the busiest kernel (tf.profile).
//   npx tsx bench/adam-memory.ts [--vars 8] [--size 1000000]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { LeanAdamOptimizer } from '../runtime/optim/adam.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const VARS = arg('vars', 8);
const SIZE = arg('size', 1_000_000);
tf.env().set('PROD', true);
await initBackend('tensorflow', { quiet: true });
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
console.log(`${VARS} variables × ${SIZE.toLocaleString('en')} floats (${mb(VARS * SIZE * 4)} of parameters)`);
for (const [label, opt] of [
  ['tf.train.adam', tf.train.adam(0.01, 0.5, 0.999, 1e-8)],
  ['LeanAdamOptimizer', new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8)],
] as Array<[string, tf.Optimizer]>) {
  const vs = Array.from({ length: VARS }, (_, i) => tf.variable(tf.ones([SIZE]), true, `${label}-${i}`));
  const g = vs.map(() => tf.ones([SIZE]));
  opt.applyGradients(Object.fromEntries(vs.map((v, i) => [v.name, g[i]!]))); // creates the moments
  const start = tf.memory().numBytes;
  const t0 = performance.now();
  const p = await tf.profile(() => opt.applyGradients(Object.fromEntries(vs.map((v, i) => [v.name, g[i]!]))));
  console.log(`${label.padEnd(18)} transient peak ${mb(p.peakBytes - start).padStart(9)}  (${((p.peakBytes - start) / (SIZE * 4)).toFixed(1)} × one variable), ${(performance.now() - t0).toFixed(0)} ms`);
  tf.dispose([...vs, ...g]);
  opt.dispose();
}
