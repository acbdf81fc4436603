/**
 * 1,000-step soak of the trainer on the tiny spec: tensor count and RSS every 50 steps, to
 * show neither grows (tests run 200 steps; this runs the long version).
 *
 *   npx tsx bench/train-soak.ts [--steps 1000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { model as tiny } from '../generated/tiny/index.js';
import { initBackend } from '../runtime/backend/index.js';
import { silentReporter } from '../runtime/train/reporter.js';
import { train } from '../runtime/train/trainer.js';

const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : 1000;
const info = await initBackend();
const gen = tiny;
const plan = structuredClone(gen.plan);
plan.phases.damsm = { ...plan.phases.damsm, epochs: 6, logEvery: 1 }; // 600 DAMSM steps
plan.phases.gan = { ...plan.phases.gan, logEvery: 1 }; // then GAN steps (samples every 250)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-soak-'));
console.log(`soak: ${steps} steps of the tiny spec; backend ${info.name}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const rows: string[] = [];
const t0 = performance.now();
await train({
  gen: { ...gen, plan },
  generatedDir: null,
  runDir: dir,
  reporter: silentReporter(),
  maxSteps: steps,
  onStep: (phase, step) => {
    if (step % 50 === 0) rows.push(`${phase.padEnd(5)} step ${String(step).padStart(4)}  tensors ${tf.memory().numTensors}  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  },
});
console.log(rows.join('\n'));
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; after the run (model disposed): tensors ${tf.memory().numTensors}`);
fs.rmSync(dir, { recursive: true, force: true });
