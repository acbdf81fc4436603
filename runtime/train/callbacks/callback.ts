/**
 * What the trainer tells its callbacks, and when. Checkpoints, metrics and TensorBoard, sample
 * grids, progress and stop conditions are callbacks; the trainer runs them in the order given, so
 * e.g. the losses are flushed (and checked for NaN) before a checkpoint is written.
 */
import type { PhasePlan, TrainingPlan } from '../../model/plan.js';
import type { ActivePhase, PhaseDefinition } from '../phase.js';
import type { Reporter } from '../reporter.js';
import type { RunFolder } from '../run-folder.js';
import type { CheckpointSource, TrainState } from '../state.js';
import type { EventWriter } from '../tensorboard.js';
import type { StepLosses } from '../phase.js';

/** The running phase. */
export interface PhaseRun {
  def: PhaseDefinition;
  active: ActivePhase;
  plan: PhasePlan;
  /** Steps per epoch (whole batches of the train split). */
  perEpoch: number;
}

/** What callbacks see of the run. */
export interface RunContext {
  readonly plan: TrainingPlan;
  readonly folder: RunFolder;
  readonly tb: EventWriter;
  readonly reporter: Reporter;
  /** Where the run is; updated by the trainer before each event. */
  readonly state: TrainState;
  /** What checkpoints record besides the state. */
  readonly source: CheckpointSource;
  /** `Date.now()` when the run started. */
  readonly started: number;
  /** The newest checkpoint this run wrote (NaN messages name it). */
  lastCheckpoint: string | null;
  /** The phases this invocation runs, in order, with their step totals (progress and ETA). */
  readonly schedule: ReadonlyArray<{ id: string; total: number }>;
}

export interface StepEvent {
  phase: PhaseRun;
  epoch: number;
  /** The phase's step count after this step. */
  step: number;
  losses: StepLosses;
  /** Images in the batch, and the seconds the step took (not counting waiting for data). */
  images: number;
  seconds: number;
  /** Seconds spent waiting for the batch. */
  stallSeconds: number;
}

export interface EpochEvent {
  phase: PhaseRun;
  epoch: number;
  step: number;
  /** What the phase measured at the epoch's end (e.g. `damsm_r1`). */
  metrics: Record<string, number>;
  /** Whether this was the phase's last epoch. */
  last: boolean;
  /** The phase's line about them, for the output. */
  line?: string;
}

export type StopReason = 'max-steps' | 'max-minutes' | NodeJS.Signals;

export interface Callback {
  phaseStart?(run: RunContext, phase: PhaseRun): void | Promise<void>;
  afterStep?(run: RunContext, ev: StepEvent): void | Promise<void>;
  /** Losses pending in the callback are written now (before anything that reports or saves). */
  flush?(run: RunContext, phase: PhaseRun): void;
  afterEpoch?(run: RunContext, ev: EpochEvent): void | Promise<void>;
  /** Asked after every step; the first reason given stops the run. */
  shouldStop?(run: RunContext): StopReason | null;
  /** The run stops after this step; `state` says where it resumes. */
  onStop?(run: RunContext, phase: PhaseRun, reason: StopReason): void | Promise<void>;
  phaseEnd?(run: RunContext, phase: PhaseRun): void | Promise<void>;
}
