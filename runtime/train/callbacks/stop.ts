/** Stop conditions: a step budget for this invocation, a time budget, a signal (Ctrl-C, SIGTERM). */
import type { Callback, RunContext, StopReason } from './callback.js';

export interface StopOptions {
  /** Steps this invocation may run. */
  maxSteps?: number;
  maxMinutes?: number;
  /** Set by signal handlers: the run stops after the current step and writes a checkpoint. */
  signal?: { requested: NodeJS.Signals | null };
}

export class StopConditions implements Callback {
  private steps = 0;

  constructor(private readonly o: StopOptions) {}

  afterStep(): void {
    this.steps++;
  }

  shouldStop(run: RunContext): StopReason | null {
    if (this.o.signal?.requested) return this.o.signal.requested;
    if (this.o.maxSteps !== undefined && this.steps >= this.o.maxSteps) return 'max-steps';
    if (this.o.maxMinutes !== undefined && (Date.now() - run.started) / 60000 >= this.o.maxMinutes) return 'max-minutes';
    return null;
  }
}
