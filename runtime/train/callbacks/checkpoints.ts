/**
 * Checkpoints: every `snapshot_interval` epochs and at a phase's end (`<phase>-<step>`, the newest
 * `keep` of each phase kept), the best value of a phase's monitored metric (`best-damsm`: networks
 * only, never pruned, not what `latest.json` names), and one when the run stops early, from which a
 * resumed run continues exactly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pruneCheckpoints } from '../../io/checkpoint.js';
import { shownPath } from '../../util/shown-path.js';
import type { Monitor } from '../phase.js';
import { writeTrainCheckpoint } from '../state.js';
import type { Callback, EpochEvent, PhaseRun, RunContext, StopReason } from './callback.js';

export class Checkpoints implements Callback {
  /** The best checkpoint of a monitored metric, when one exists in the run folder. */
  bestCheckpoint: string | null = null;

  constructor(private readonly keep: number) {}

  /** A resumed run: the best checkpoint an earlier invocation wrote in this run folder. */
  adopt(run: RunContext, monitors: readonly Monitor[]): void {
    for (const monitor of monitors) {
      const dir = path.join(run.folder.checkpoints, monitor.checkpoint);
      if (run.state.best[monitor.metric] !== undefined && fs.existsSync(path.join(dir, 'manifest.json'))) this.bestCheckpoint = dir;
    }
  }

  async afterEpoch(run: RunContext, ev: EpochEvent): Promise<void> {
    const { def, active, plan } = ev.phase;
    const monitor = def.monitor;
    const value = monitor ? ev.metrics[monitor.metric] : undefined;
    if (monitor && value !== undefined && !(value <= (run.state.best[monitor.metric] ?? -Infinity))) {
      run.state.best[monitor.metric] = value;
      this.bestCheckpoint = await writeTrainCheckpoint(run.folder.checkpoints, monitor.checkpoint, run.source, run.state, { optimizers: [], ema: active.ema, negatives: active.negatives ?? null }, { latest: false });
      this.announce(run, this.bestCheckpoint);
    }
    if ((ev.epoch + 1) % plan.snapshotInterval === 0 || ev.last) await this.snapshot(run, ev.phase);
  }

  async onStop(run: RunContext, phase: PhaseRun, _reason: StopReason): Promise<void> {
    await this.snapshot(run, phase);
  }

  private async snapshot(run: RunContext, phase: PhaseRun): Promise<void> {
    const name = `${phase.def.id}-${String(run.state.step).padStart(8, '0')}`;
    const dir = await writeTrainCheckpoint(run.folder.checkpoints, name, run.source, run.state, { optimizers: phase.active.optimizers(), ema: phase.active.ema, negatives: phase.active.negatives ?? null });
    run.lastCheckpoint = dir;
    pruneCheckpoints(run.folder.checkpoints, phase.def.id, this.keep);
    this.announce(run, dir);
  }

  private announce(run: RunContext, dir: string): void {
    run.reporter.log(`checkpoint ${shownPath(dir)}`);
  }
}
