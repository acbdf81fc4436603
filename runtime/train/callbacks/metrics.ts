/**
 * Losses, metrics and TensorBoard, and the NaN guard. A step's losses stay on the backend until a
 * flush (every `log_every` steps, at an epoch's end, before a sample grid or a checkpoint), which
 * reads them all in one sync, refuses a non-finite one, appends a line to metrics.jsonl and writes
 * every step's values to TensorBoard.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readLosses } from '../../optim/step.js';
import { AttncError } from '../../util/errors.js';
import type { StepLosses } from '../phase.js';
import type { Callback, EpochEvent, PhaseRun, RunContext, StepEvent } from './callback.js';

/** A loss that is not finite stops the run; the checkpoints written before it stay. */
export class NonFiniteLoss extends AttncError {}

export class MetricsLog implements Callback {
  private pending: Array<{ step: number; epoch: number; losses: StepLosses }> = [];
  private window = { images: 0, seconds: 0, stallMs: 0 };
  /** The newest losses read back (the progress line shows them). */
  latest: Record<string, number> | null = null;

  phaseStart(): void {
    this.latest = null;
  }

  afterStep(run: RunContext, ev: StepEvent): void {
    this.pending.push({ step: ev.step, epoch: ev.epoch, losses: ev.losses });
    this.window.images += ev.images;
    this.window.seconds += ev.seconds;
    this.window.stallMs += ev.stallSeconds * 1000;
    if (ev.step % ev.phase.plan.logEvery === 0) this.flush(run, ev.phase);
  }

  /** Reads every buffered loss (one sync), checks it is finite, writes metrics.jsonl and TensorBoard. */
  flush(run: RunContext, phase: PhaseRun): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const names: string[] = [];
    const tensors: tf.Scalar[] = [];
    for (const r of rows) for (const [net, terms] of Object.entries(r.losses)) for (const [k, t] of Object.entries(terms)) {
      names.push(`${r.step}\u0000${net}/${k}`);
      tensors.push(t);
    }
    const values = readLosses(Object.fromEntries(tensors.map((t, i) => [String(i), t])));
    const perStep = new Map<number, Record<string, number>>();
    names.forEach((n, i) => {
      const [step, key] = n.split('\u0000') as [string, string];
      const v = values[String(i)]!;
      if (!Number.isFinite(v)) {
        const [net, term] = key.split('/') as [string, string];
        throw new NonFiniteLoss('ATTNC_TRAIN_NAN', `the loss term "${term}" of ${net} became ${v} at step ${step} (${phase.def.id} phase); training stopped`, {
          hint: `the last good checkpoint is ${run.lastCheckpoint ?? '(none written yet)'}; lower the learning rate or check the data, then --resume from it`,
        });
      }
      (perStep.get(Number(step)) ?? perStep.set(Number(step), {}).get(Number(step))!)[key] = v;
    });
    const last = rows.at(-1)!;
    const latest = perStep.get(last.step)!;
    const ips = this.window.seconds > 0 ? this.window.images / this.window.seconds : 0;
    const lr = phase.active.lr();
    const line = {
      phase: phase.def.id,
      step: last.step,
      epoch: last.epoch,
      wall: (Date.now() - run.started) / 1000,
      lr,
      images_per_s: Number(ips.toFixed(3)),
      data_stall_ms: Number((this.window.stallMs / rows.length).toFixed(2)),
      losses: latest,
    };
    fs.appendFileSync(run.folder.metrics, JSON.stringify(line) + '\n');
    const id = phase.def.id;
    for (const [step, losses] of perStep) for (const [k, v] of Object.entries(losses)) run.tb.scalar(`${id}/${k}`, v, step);
    run.tb.scalar(`${id}/lr`, lr, last.step);
    run.tb.scalar(`${id}/images_per_s`, ips, last.step);
    run.tb.scalar(`${id}/data_stall_ms`, line.data_stall_ms, last.step);
    this.window = { images: 0, seconds: 0, stallMs: 0 };
    this.latest = latest;
  }

  /** An epoch's metrics: a metrics.jsonl line, TensorBoard scalars, the phase's line in the output. */
  afterEpoch(run: RunContext, ev: EpochEvent): void {
    if (Object.keys(ev.metrics).length === 0) return;
    fs.appendFileSync(run.folder.metrics, JSON.stringify({ phase: ev.phase.def.id, step: ev.step, epoch: ev.epoch, wall: (Date.now() - run.started) / 1000, ...ev.metrics }) + '\n');
    for (const [k, v] of Object.entries(ev.metrics)) run.tb.scalar(`${ev.phase.def.id}/${tensorboardName(k)}`, v, ev.step);
    if (ev.line) run.reporter.log(ev.line);
  }

  /** Losses not yet read (a run that ends by an error) are disposed. */
  dispose(): void {
    for (const r of this.pending) for (const terms of Object.values(r.losses)) tf.dispose(Object.values(terms));
    this.pending = [];
  }
}

/** TensorBoard tags of epoch metrics: `damsm_r1` → `R@1` (the name the runs so far used). */
function tensorboardName(metric: string): string {
  return metric === 'damsm_r1' ? 'R@1' : metric;
}
