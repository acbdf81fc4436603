import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../../runtime/train/callbacks/progress.js';
import type { PhaseRun, RunContext, StepEvent } from '../../../runtime/train/callbacks/callback.js';
import { silentReporter } from '../../../runtime/train/reporter.js';

function phase(id: string, perEpoch: number, epochs: number): PhaseRun {
  return { def: { id }, plan: { batchSize: 16, epochs }, perEpoch } as unknown as PhaseRun;
}

describe('the progress line', () => {
  it("shows the phase's ETA and the whole run's: a lower bound until every later phase has been measured", () => {
    const reporter = silentReporter();
    const run = { reporter, schedule: [{ id: 'damsm', total: 1000 }, { id: 'gan', total: 2000 }] } as unknown as RunContext;
    const p = new ProgressLine(() => ({ 'encoders/loss': 10.5 }));
    const damsm = phase('damsm', 100, 10);
    const step = (ph: PhaseRun, n: number, seconds: number): StepEvent => ({ phase: ph, epoch: 0, step: n, losses: {}, images: 16, seconds, stallSeconds: 0 });
    p.afterStep(run, step(damsm, 899, 5)); // the first step builds kernels: not a speed
    expect(reporter.lines.at(-1)).toBe('damsm epoch 1/10 step 899/1000  encoders 10.500  ETA …');
    p.afterStep(run, step(damsm, 900, 0.1));
    // 100 DAMSM steps left at 0.1 s = 10 s; 2,000 GAN steps at no less than 0.1 s each.
    expect(reporter.lines.at(-1)).toBe('damsm epoch 1/10 step 900/1000  encoders 10.500  160.0 img/s  ETA 10s (run ≥3m30s)');
    const gan = phase('gan', 100, 20);
    p.afterStep(run, step(gan, 999, 5));
    p.afterStep(run, step(gan, 1000, 0.5));
    // The last phase: its own ETA is the run's.
    expect(reporter.lines.at(-1)).toMatch(/^gan epoch 1\/20 step 1000\/2000 .* 32\.0 img\/s  ETA 8m20s$/);
  });
});
