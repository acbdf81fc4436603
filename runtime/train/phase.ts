/**
 * A training phase as the trainer runs it. The trainer owns the one loop (epochs, batches, the
 * callbacks, stopping, checkpoints); a phase supplies what differs: its optimizers, one step, and
 * the work at the end of an epoch. A model family brings its own phases (runtime/train/phases/).
 */
import type { Batch, Dataset } from '../data/dataset.js';
import type { Vocabulary } from '../data/vocab.js';
import type { GanOptimizers, GeneratedModel, ModelNetworks } from '../model/contract.js';
import type { NetworkKey } from '../model/networks.js';
import type { PhasePlan, TrainingPlan } from '../model/plan.js';
import type { CaptionQueue } from '../losses/index.js';
import type { ParameterEma } from '../optim/ema.js';
import type { LossTensors } from '../optim/step.js';
import type { NamedOptimizer, SavedRun } from './state.js';

/** What a phase works with: the generated code and the model it built (typed together, see RunOptions). */
export interface PhaseContext<M extends ModelNetworks = ModelNetworks, O extends GanOptimizers = GanOptimizers> {
  gen: GeneratedModel<M, O>;
  model: M;
  plan: TrainingPlan;
  /** The phase's seed (data order, dropout, noise). */
  seed: number;
  train: Dataset;
  test: Dataset;
  vocab: Vocabulary;
  /** A line that stays in the output. */
  log(line: string): void;
}

/** A metric a phase measures at the end of each epoch, whose best value gets its own checkpoint. */
export interface Monitor {
  metric: string;
  /** Checkpoint folder name of the best, e.g. `best-damsm`. */
  checkpoint: string;
}

export interface PhaseDefinition {
  readonly id: string;
  /** E.g. "DAMSM pretraining". */
  readonly title: string;
  plan(p: TrainingPlan): PhasePlan;
  /**
   * Whether the phase trains this network. The others keep the epoch their weights are from (the
   * encoders in the GAN phase: their DAMSM epochs), which checkpoints record for `attnc export`.
   */
  trains(network: NetworkKey): boolean;
  readonly monitor?: Monitor;
  /** Refuses to start when what it needs has not run (e.g. the GAN phase without trained encoders). */
  ready?(p: TrainingPlan, state: { done: readonly string[]; ranBefore: readonly string[] }): void;
  start<M extends ModelNetworks, O extends GanOptimizers>(ctx: PhaseContext<M, O>): ActivePhase;
}

/** Losses of one step by network (`encoders`, `generator`, `discriminator_0`…). */
export type StepLosses = Record<string, LossTensors>;

/** A running phase. */
export interface ActivePhase {
  /** The line logged when the phase starts. */
  readonly summary: string;
  /** A fresh optimizer each epoch (then a resume at an epoch's start does not restore one). */
  readonly freshOptimizersEachEpoch: boolean;
  /** G's moving average, when the phase keeps one (checkpoints save it, sample grids use it). */
  readonly ema: ParameterEma | null;
  /** Earlier captions G's DAMSM term keeps as negatives, when the spec asks (checkpoints save them). */
  readonly negatives?: CaptionQueue | null;
  /** Called before every epoch (learning-rate schedules, fresh optimizers). */
  beginEpoch(epoch: number): void;
  /** The optimizers checkpoints save and restore, by id. */
  optimizers(): NamedOptimizer[];
  /** The learning rate shown in logs. */
  lr(): number;
  /** Restores what the phase keeps besides networks and optimizers (e.g. the EMA) from a checkpoint. */
  resume?(saved: SavedRun): void;
  /** Part masks this phase's batches carry (`BatchOptions.partGrid`; the DAMSM phase with a part loss). */
  readonly partGrid?: number;
  /** Whether this phase's batches carry the part each word names (`BatchOptions.wordParts`; G's part-word term). */
  readonly wordParts?: boolean;
  /** One optimisation step on one training batch; `step` is the phase's step count before it. */
  step(batch: Batch, step: number): StepLosses;
  /** After an epoch's last batch: the epoch's metrics (e.g. `damsm_r1`) and a line that says them. */
  endEpoch?(epoch: number, step: number): Promise<{ metrics: Record<string, number>; line: string }>;
  /** Sample grids: the grid's rows for the current weights (EMA when kept). */
  readonly sampler?: SampleGridSource;
  dispose(): void;
}

/** What a sample grid shows: fixed captions and noise through the current generator. */
export interface SampleGridSource {
  /** Fixes the grid's captions and noise (at the phase's start, so no tensor appears mid-phase). */
  prepare(): Promise<void>;
  /** Renders the grid for `step`; returns the PNG and its size. */
  render(step: number): Promise<{ png: Uint8Array; width: number; height: number }>;
}
