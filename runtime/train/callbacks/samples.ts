/**
 * Sample grids of phases that have a sampler (the GAN): every `sample_every` steps, before every
 * snapshot, and when the run stops; each written to samples/<phase>-<step>.png and TensorBoard.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Callback, EpochEvent, PhaseRun, RunContext, StepEvent, StopReason } from './callback.js';

export class SampleGrids implements Callback {
  /** Every grid written, oldest first. */
  readonly files: string[] = [];

  /** `flush` writes pending losses first, so the log is complete up to the grid's step. */
  constructor(private readonly flushLosses: (run: RunContext, phase: PhaseRun) => void) {}

  async phaseStart(_run: RunContext, phase: PhaseRun): Promise<void> {
    await phase.active.sampler?.prepare();
  }

  async afterStep(run: RunContext, ev: StepEvent): Promise<void> {
    const every = ev.phase.plan.sampleEvery;
    if (ev.phase.active.sampler && every !== undefined && ev.step % every === 0) await this.write(run, ev.phase);
  }

  async afterEpoch(run: RunContext, ev: EpochEvent): Promise<void> {
    if ((ev.epoch + 1) % ev.phase.plan.snapshotInterval === 0 || ev.last) await this.write(run, ev.phase);
  }

  async onStop(run: RunContext, phase: PhaseRun, _reason: StopReason): Promise<void> {
    await this.write(run, phase);
  }

  private async write(run: RunContext, phase: PhaseRun): Promise<void> {
    const sampler = phase.active.sampler;
    if (!sampler) return;
    this.flushLosses(run, phase);
    const step = run.state.step;
    const grid = await sampler.render(step);
    const file = path.join(run.folder.samples, `${phase.def.id}-${String(step).padStart(8, '0')}.png`);
    fs.writeFileSync(file, grid.png);
    run.tb.image('samples/grid', grid.png, grid.width, grid.height, step);
    this.files.push(file);
  }
}
