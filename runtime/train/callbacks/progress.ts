/**
 * The progress line: phase, epoch, step, the latest losses, throughput, and two ETAs — the
 * phase's and the whole run's (every phase this invocation runs). A phase's time per step is
 * measured while it runs; for a phase that has not run yet it is not known, and the run's ETA is
 * then a lower bound (shown `≥`) that counts those steps at the fastest rate measured so far.
 * Until a phase's second step there is no speed to show (`ETA …`).
 */
import { formatDuration } from '../reporter.js';
import type { Callback, PhaseRun, RunContext, StepEvent } from './callback.js';

export class ProgressLine implements Callback {
  /** Smoothed seconds per step, by phase. */
  private readonly secondsPerStep = new Map<string, number>();
  /** Phases whose first step (this invocation's, which builds kernels and fills caches) was seen. */
  private readonly warm = new Set<string>();

  constructor(private readonly latest: () => Record<string, number> | null) {}

  afterStep(run: RunContext, ev: StepEvent): void {
    const id = ev.phase.def.id;
    // The first step of a phase is not its speed (kernels are built, buffers allocated).
    if (this.warm.has(id)) {
      const s = ev.seconds + ev.stallSeconds;
      const prev = this.secondsPerStep.get(id);
      this.secondsPerStep.set(id, prev === undefined ? s : 0.9 * prev + 0.1 * s);
    } else this.warm.add(id);
    run.reporter.status(this.line(run, ev));
  }

  private line(run: RunContext, ev: StepEvent): string {
    const { phase, epoch, step } = ev;
    const total = phase.perEpoch * phase.plan.epochs;
    const losses = this.latest();
    const shown = losses ? Object.entries(losses).filter(([k]) => k.endsWith('/loss') || /generator\/(adversarial|damsm|partWords|kl)$/.test(k)).map(([k, v]) => `${k.replace('/loss', '')} ${v.toFixed(3)}`).join('  ') : '';
    const head = `${phase.def.id} epoch ${epoch + 1}/${phase.plan.epochs} step ${step}/${total}  ${shown}`;
    const sps = this.secondsPerStep.get(phase.def.id);
    if (sps === undefined) return `${head}  ETA …`;
    const phaseEta = (total - step) * sps;
    const run_ = this.runEta(run, phase, phaseEta);
    const eta = run_.later ? `ETA ${formatDuration(phaseEta)} (run ${run_.bound ? '≥' : ''}${formatDuration(run_.seconds)})` : `ETA ${formatDuration(phaseEta)}`;
    return `${head}  ${(phase.plan.batchSize / sps).toFixed(1)} img/s  ${eta}`;
  }

  /** Seconds left in the whole run: this phase's, plus every later phase's steps. */
  private runEta(run: RunContext, phase: PhaseRun, phaseSeconds: number): { seconds: number; bound: boolean; later: boolean } {
    const i = run.schedule.findIndex((p) => p.id === phase.def.id);
    const later = run.schedule.slice(i + 1);
    const fastest = Math.min(...this.secondsPerStep.values());
    let seconds = phaseSeconds;
    let bound = false;
    for (const p of later) {
      const known = this.secondsPerStep.get(p.id);
      if (known === undefined) bound = true;
      seconds += p.total * (known ?? fastest);
    }
    return { seconds, bound, later: later.length > 0 };
  }

}
