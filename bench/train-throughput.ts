/**
 * Training throughput of the trainer (runtime/train/trainer.ts) on the native backend: images/s of
 * both phases for the tiny spec and for the birds AttnGAN2 spec (batch 4, 64/128/256 px, Inception
 * DAMSM encoder; synthetic birds rendered at 256 px stand in for CUB), with the share of step time
 * spent waiting for data.
 *
 *   npx tsx bench/train-throughput.ts [--steps 30] [--birds-steps 4] [--skip-birds]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../runtime/backend/index.js';
import type { GanOptimizers, GeneratedModel, ModelNetworks } from '../runtime/model/contract.js';
import type { TrainingPlan } from '../runtime/model/plan.js';
import { silentReporter } from '../runtime/train/reporter.js';
import { train, type PhaseName } from '../runtime/train/trainer.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const steps = arg('steps', 30);
const birdsSteps = arg('birds-steps', 4);
const info = await initBackend();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-bench-train-'));

async function measure<M extends ModelNetworks, O extends GanOptimizers>(label: string, gen: GeneratedModel<M, O>, phase: PhaseName, n: number, warmup: number): Promise<void> {
  const times: number[] = [];
  let last = performance.now();
  const runDir = path.join(tmp, `${label}-${phase}`);
  const t0 = performance.now();
  // A GAN-only run on untrained encoders: the step costs the same.
  const g = phase === 'gan' ? { ...gen, plan: { ...gen.plan, phases: { ...gen.plan.phases, damsm: { ...gen.plan.phases.damsm, enabled: false } } } } : gen;
  const r = await train({
    gen: g,
    generatedDir: null,
    runDir,
    phases: [phase],
    maxSteps: n + warmup,
    reporter: silentReporter(),
    onStep: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  const total = (performance.now() - t0) / 1000;
  const steady = times.slice(warmup + 1);
  const ms = steady.reduce((a, b) => a + b, 0) / steady.length;
  const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { data_stall_ms?: number });
  const stalls = lines.map((l) => l.data_stall_ms).filter((x): x is number => typeof x === 'number');
  const stall = stalls.reduce((a, b) => a + b, 0) / Math.max(1, stalls.length);
  const batch = (phase === 'damsm' ? gen.plan.phases.damsm : gen.plan.phases.gan).batchSize;
  console.log(
    `${label.padEnd(9)} ${phase.padEnd(5)} batch ${String(batch).padStart(2)}  ${(1000 * batch / ms).toFixed(1).padStart(7)} img/s  ${ms.toFixed(0).padStart(6)} ms/step  setup + first step ${times[0]!.toFixed(0)} ms  data stall ${stall.toFixed(1)} ms/step (${((100 * stall) / ms).toFixed(1)} %)  [${r.steps} steps, ${total.toFixed(1)} s with setup]`,
  );
}

function withPlan<M extends ModelNetworks, O extends GanOptimizers>(g: GeneratedModel<M, O>, edit: (p: TrainingPlan) => void): GeneratedModel<M, O> {
  const plan = structuredClone(g.plan);
  edit(plan);
  return { ...g, plan };
}

console.log(`training throughput; backend ${info.name}; ${os.cpus().length} CPUs; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${new Date().toISOString()}`);
const tiny = withPlan((await import('../generated/tiny/index.js')).model, (p) => {
  p.phases.damsm.logEvery = 10;
  p.phases.gan.logEvery = 10;
});
await measure('tiny', tiny, 'damsm', steps, 3);
await measure('tiny', tiny, 'gan', steps, 3);
if (!process.argv.includes('--skip-birds')) {
  const birds = withPlan((await import('../generated/attngan2/index.js')).model, (p) => {
    p.data.dataset = { kind: 'synthbirds', images: 120, seed: 1, testFraction: 0.1, heldoutFraction: 0.1 };
    p.data.capsPerImage = 5;
    p.weights = { textEncoder: null, imageEncoder: null, imageEncoderTrunk: null, generator: null }; // random weights: same cost
    p.phases.damsm = { ...p.phases.damsm, enabled: true, batchSize: 4, logEvery: 1 };
    p.phases.gan = { ...p.phases.gan, batchSize: 4, logEvery: 1, sampleEvery: 10_000 };
  });
  await measure('attngan2', birds, 'damsm', birdsSteps, 1);
  await measure('attngan2', birds, 'gan', birdsSteps, 1);
}
fs.rmSync(tmp, { recursive: true, force: true });
