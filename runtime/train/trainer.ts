/**
 * The trainer: executes any generated model's plan. One loop runs every phase the model has (DAMSM
 * pretraining of the encoders, then the GAN with the encoders frozen, as the original's
 * pretrain_DAMSM.py and trainer.py do); the phases (runtime/train/phases/) supply their optimizers,
 * their step and their end-of-epoch work, and callbacks (runtime/train/callbacks/) do the rest:
 * metrics and TensorBoard with the NaN guard, sample grids, progress, checkpoints and stop
 * conditions. The run's whole state (runtime/train/state.ts) goes into every checkpoint and comes
 * back from it on `--resume`.
 *
 * Determinism: the data order and augmentation of every batch are a function of (phase seed, epoch,
 * position), the dropout masks and the noise of every step a function of (phase seed, step), and
 * the optimizers' state is restored bit for bit. So two runs with one seed see the same numbers, and
 * a run stopped at any step and resumed continues as if never stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset, type Dataset } from '../data/dataset.js';
import { cleanInterruptedWrites } from '../io/checkpoint.js';
import type { GanOptimizers, GeneratedModel, ModelNetworks } from '../model/contract.js';
import { datasetConfigFromPlan } from '../model/data.js';
import { networkFiles } from '../model/networks.js';
import { AttncError } from '../util/errors.js';
import { hash32 } from '../util/rng.js';
import { shownPath } from '../util/shown-path.js';
import type { Callback, PhaseRun, RunContext, StopReason } from './callbacks/callback.js';
import { Checkpoints } from './callbacks/checkpoints.js';
import { MetricsLog } from './callbacks/metrics.js';
import { ProgressLine } from './callbacks/progress.js';
import { SampleGrids } from './callbacks/samples.js';
import { StopConditions } from './callbacks/stop.js';
import type { PhaseContext, PhaseDefinition } from './phase.js';
import { phasesOf } from './phases/index.js';
import type { Reporter } from './reporter.js';
import { prepareRunFolder, type RunFolder } from './run-folder.js';
import { loadSpecWeights, specWeightEpochs } from './spec-weights.js';
import { SavedRun, type TrainState } from './state.js';
import { EventWriter } from './tensorboard.js';

export type PhaseName = string;

/**
 * `gen` and the model it builds are typed together (`M`, `O`): the trainer passes each generated
 * function only what the same generated code made.
 */
export interface RunOptions<M extends ModelNetworks = ModelNetworks, O extends GanOptimizers = GanOptimizers> {
  gen: GeneratedModel<M, O>;
  /** Where the generated code lives (recorded in checkpoints for `attnc sample`). */
  generatedDir: string | null;
  runDir: string;
  /** Phases to run, in order (default: the plan's enabled ones). */
  phases?: PhaseName[];
  /** Continue from this checkpoint folder. */
  resume?: string;
  /** Stop cleanly (checkpoint + samples) after this many steps in this invocation. */
  maxSteps?: number;
  maxMinutes?: number;
  /** Seed of the initial weights; also replaces every phase's seed when given. */
  seed?: number;
  /** Dataset folder instead of the plan's `root`. */
  dataRoot?: string;
  /** Image decode worker threads (default 0). */
  workers?: number;
  /** Batches loaded ahead of the step (default 2). */
  prefetch?: number;
  /** Checkpoints kept per phase besides `best` (default 3). */
  keep?: number;
  /** Text written as `resolved.yaml` (the CLI passes the resolved spec with origins). */
  resolvedSpec?: string;
  reporter: Reporter;
  /** Set by signal handlers: the run stops after the current step and writes a checkpoint. */
  stop?: { requested: NodeJS.Signals | null };
  /** Called after every step (tests watch tensor counts and memory with it). */
  onStep?: (phase: PhaseName, step: number) => void;
  /** More callbacks, run after the built-in ones. */
  callbacks?: Callback[];
}

export interface RunResult {
  runDir: string;
  /** Why the run ended. */
  ended: 'completed' | StopReason;
  steps: number;
  lastCheckpoint: string | null;
  /** The best checkpoint of a monitored metric (`best-damsm`), and that metric's value in it. */
  bestCheckpoint: string | null;
  best: { metric: string; value: number } | null;
  samples: string[];
  /** The last value of each epoch metric (e.g. `damsm_r1` of the last DAMSM epoch). */
  metrics: Record<string, number>;
}

/** Estimated bytes of one checkpoint: every weight twice (EMA + live G, Adam moments ≈ 2×). */
function checkpointBytes(model: ModelNetworks): number {
  let n = 0;
  for (const { module } of networkFiles(model)) n += module.slotInfos().reduce((s, x) => s + x.variable.size, 0);
  return n * 4 * 4;
}

/** `damsm` → DAMSM, `gan` → GAN: how messages name a phase. */
function phaseLabel(id: string): string {
  return id.toUpperCase();
}

function epochSeed(phaseSeed: number, epoch: number): number {
  return hash32(phaseSeed, epoch + 1);
}

/**
 * Lets timers, I/O and signal handlers run between steps: prefetched batches resolve as microtasks,
 * so without this a SIGINT would wait for the whole run.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Trainer<M extends ModelNetworks, O extends GanOptimizers> {
  private readonly gen: GeneratedModel<M, O>;
  private readonly o: RunOptions<M, O>;
  private readonly folder: RunFolder;
  private readonly tb: EventWriter;
  private readonly started = Date.now();
  private stepsThisRun = 0;
  private ended: RunResult['ended'] = 'completed';
  private readonly metrics = new MetricsLog();
  private readonly checkpoints: Checkpoints;
  private readonly samples: SampleGrids;
  private readonly callbacks: Callback[];

  constructor(options: RunOptions<M, O>) {
    this.o = options;
    this.gen = options.gen;
    // Checked again with the real model size once it exists; this catches an unwritable --out early.
    this.folder = prepareRunFolder(options.runDir, 0);
    cleanInterruptedWrites(this.folder.checkpoints);
    this.tb = new EventWriter(this.folder.tensorboard);
    this.checkpoints = new Checkpoints(options.keep ?? 3);
    this.samples = new SampleGrids((run, phase) => this.metrics.flush(run, phase));
    const hook: Callback = {
      afterStep: async (_run, ev) => {
        this.o.onStep?.(ev.phase.def.id, ev.step);
        await yieldToEventLoop();
      },
    };
    // Order matters: losses are read (and checked) first, grids and checkpoints after.
    this.callbacks = [this.metrics, hook, this.samples, new ProgressLine(() => this.metrics.latest), new StopConditions({ ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}), ...(options.maxMinutes !== undefined ? { maxMinutes: options.maxMinutes } : {}), ...(options.stop ? { signal: options.stop } : {}) }), this.checkpoints, ...(options.callbacks ?? [])];
  }

  private phaseSeed(p: PhaseDefinition): number {
    return this.o.seed ?? p.plan(this.gen.plan).seed;
  }

  async run(): Promise<RunResult> {
    const plan = this.gen.plan;
    const r = this.o.reporter;
    const log = (line: string) => r.log(line);
    const data = await this.openData();
    let model: M | null = null;
    try {
      if (this.o.resolvedSpec !== undefined) fs.writeFileSync(path.join(this.folder.dir, 'resolved.yaml'), this.o.resolvedSpec);
      this.tb.text('spec/resolved', '```yaml\n' + (this.o.resolvedSpec ?? JSON.stringify(plan, null, 2)) + '\n```', 0);
      const defs = phasesOf(this.gen);
      const initSeed = this.o.seed ?? defs[0]!.plan(plan).seed;
      model = this.gen.createModel({ vocabSize: data.vocab.size, seed: initSeed });
      prepareRunFolder(this.folder.dir, checkpointBytes(model));
      const saved = this.o.resume ? new SavedRun(this.o.resume) : null;
      let state: TrainState;
      if (saved) {
        saved.check(this.gen.SPEC, data.vocab);
        for (const note of saved.restoreNetworks(model)) log(note);
        state = saved.state;
        const m = saved.manifest;
        log(`resuming from ${shownPath(saved.dir)}: ${m.phase} phase, epoch ${m.progress.epoch}, batch ${m.progress.batch}, step ${m.progress.step}`);
      } else {
        loadSpecWeights(plan.weights, model, log);
        state = { phase: defs[0]!.id, epoch: 0, batch: 0, step: 0, done: [], metrics: {}, best: {}, options: {}, networkEpochs: specWeightEpochs(plan.weights), seed: initSeed };
      }
      const requested = this.o.phases ?? defs.filter((d) => d.plan(plan).enabled).map((d) => d.id);
      const chosen = defs.filter((d) => requested.includes(d.id));
      // Phases before the one a checkpoint stopped in are done, whatever it says of them.
      const resumedAt = saved ? defs.findIndex((d) => d.id === saved.state.phase) : -1;
      const todo = chosen.filter((d) => !state.done.includes(d.id) && defs.indexOf(d) >= resumedAt);
      log(`attnc train ${plan.name}: ${chosen.map((d) => d.id).join(' → ')} on ${plan.data.dataset.kind} (${data.train.size} train / ${data.test.size} test images, vocabulary ${data.vocab.size}) → ${shownPath(this.folder.dir)}`);
      const perEpoch = (d: PhaseDefinition) => {
        const bs = d.plan(plan).batchSize;
        const n = Math.floor(data.train.size / bs);
        if (n === 0) throw new AttncError('ATTNC_TRAIN_CONFIG', `the train split has ${data.train.size} images, fewer than one ${phaseLabel(d.id)} batch of ${bs}`, { hint: `lower train.${d.id}.batch_size` });
        return n;
      };
      const schedule = todo.map((d) => ({ id: d.id, total: perEpoch(d) * d.plan(plan).epochs }));
      const run: RunContext = {
        plan,
        folder: this.folder,
        tb: this.tb,
        reporter: r,
        state,
        source: { spec: this.gen.SPEC, generatedDir: this.o.generatedDir, vocab: data.vocab, model },
        started: this.started,
        lastCheckpoint: null,
        schedule,
      };
      this.checkpoints.adopt(run, defs.flatMap((d) => (d.monitor ? [d.monitor] : [])));
      const ranBefore: string[] = [];
      for (const def of todo) {
        def.ready?.(plan, { done: state.done, ranBefore });
        const resuming = saved !== null && saved.state.phase === def.id;
        if (!resuming) Object.assign(state, { phase: def.id, epoch: 0, batch: 0, step: 0 });
        const finished = await this.runPhase(run, model, def, perEpoch(def), data, resuming ? saved : null);
        if (!finished) break;
        ranBefore.push(def.id);
      }
      return this.result(run);
    } finally {
      this.metrics.dispose();
      this.tb.close();
      await data.train.close();
      await data.test.close();
      if (model) this.gen.disposeModel(model);
    }
  }

  private async openData(): Promise<{ train: Dataset; test: Dataset; vocab: Dataset['vocab'] }> {
    const plan = this.gen.plan;
    const common = { ...(this.o.dataRoot ? { root: this.o.dataRoot } : {}) };
    try {
      const train = await openDataset(datasetConfigFromPlan(plan.data, 'train', common));
      const test = await openDataset(datasetConfigFromPlan(plan.data, 'test', { ...common, augment: false }));
      return { train, test, vocab: train.vocab };
    } catch (e) {
      if (e instanceof AttncError && plan.data.dataset.kind !== 'synthbirds' && e.code === 'ATTNC_DATA_MISSING') {
        const layout = plan.data.dataset.kind === 'cub' ? 'the AttnGAN birds layout (captions.pickle or text/, train/filenames.pickle, test/filenames.pickle, CUB_200_2011/images/)' : plan.data.dataset.kind === 'coco' ? 'the AttnGAN COCO layout (captions.pickle or text/, train/ and test/filenames.pickle, images/)' : 'the custom layout (train.txt, test.txt, images/, text/)';
        throw new AttncError(e.code, e.message, { path: e.path, hint: `pass the dataset folder with --data <dir>; it must hold ${layout} — docs/datasets.md`, cause: e });
      }
      throw e;
    }
  }

  private result(run: RunContext): RunResult {
    const best = Object.entries(run.state.best)[0];
    return {
      runDir: this.folder.dir,
      ended: this.ended,
      steps: this.stepsThisRun,
      lastCheckpoint: run.lastCheckpoint,
      bestCheckpoint: this.checkpoints.bestCheckpoint,
      best: best && this.checkpoints.bestCheckpoint ? { metric: best[0], value: best[1] } : null,
      samples: this.samples.files,
      metrics: { ...run.state.metrics },
    };
  }

  /** Runs one phase from where `state` is; false when the run stopped early. */
  private async runPhase(run: RunContext, model: M, def: PhaseDefinition, perEpoch: number, data: { train: Dataset; test: Dataset; vocab: Dataset['vocab'] }, saved: SavedRun | null): Promise<boolean> {
    const state = run.state;
    const plan = def.plan(this.gen.plan);
    const ctx: PhaseContext<M, O> = { gen: this.gen, model, plan: this.gen.plan, seed: this.phaseSeed(def), train: data.train, test: data.test, vocab: data.vocab, log: (l) => run.reporter.log(l) };
    const active = def.start(ctx);
    const phase: PhaseRun = { def, active, plan, perEpoch };
    // What this phase trains is at the phase's own epoch; what it does not keeps the epoch it has.
    const trained = networkFiles(model).map((n) => n.network).filter((n) => def.trains(n));
    for (const n of trained) delete state.networkEpochs[n];
    const fire = async (f: (cb: Callback) => void | Promise<void>) => {
      for (const cb of this.callbacks) await f(cb);
    };
    try {
      if (saved) active.resume?.(saved);
      run.reporter.log(active.summary);
      await fire((cb) => cb.phaseStart?.(run, phase));
      const resumeAt = saved ? { epoch: state.epoch, batch: state.batch } : null;
      for (let epoch = state.epoch; epoch < plan.epochs; epoch++) {
        active.beginEpoch(epoch);
        // The optimizers of a resumed epoch: restored unless the epoch starts afresh anyway.
        if (saved && resumeAt && epoch === resumeAt.epoch && (resumeAt.batch > 0 || !active.freshOptimizersEachEpoch)) await saved.restoreOptimizers(run.source.model, active.optimizers());
        let waitStart = performance.now();
        for await (const b of data.train.batches({ batchSize: plan.batchSize, seed: epochSeed(ctx.seed, epoch), startBatch: state.batch, workers: this.o.workers ?? 0, prefetch: this.o.prefetch ?? 2, partGrid: active.partGrid, wordParts: active.wordParts })) {
          const t0 = performance.now();
          const images = b.lengths.length;
          const losses = active.step(b, state.step);
          state.step++;
          state.batch++;
          this.stepsThisRun++;
          const ev = { phase, epoch, step: state.step, losses, images, seconds: (performance.now() - t0) / 1000, stallSeconds: (t0 - waitStart) / 1000 };
          await fire((cb) => cb.afterStep?.(run, ev));
          const reason = this.callbacks.map((cb) => cb.shouldStop?.(run) ?? null).find((x) => x !== null) ?? null;
          if (reason) {
            this.ended = reason;
            // Resumes at the next batch; after an epoch's last batch, with that epoch's end work.
            this.metrics.flush(run, phase);
            await fire((cb) => cb.onStop?.(run, phase, reason));
            run.reporter.log(`stopped (${reason}) at ${phaseLabel(def.id)} step ${state.step}`);
            return false;
          }
          waitStart = performance.now();
        }
        this.metrics.flush(run, phase);
        const last = epoch === plan.epochs - 1;
        const measured = active.endEpoch ? await active.endEpoch(epoch, state.step) : { metrics: {}, line: undefined };
        Object.assign(state.metrics, measured.metrics);
        state.epoch = epoch + 1;
        state.batch = 0;
        if (last) state.done.push(def.id);
        await fire((cb) => cb.afterEpoch?.(run, { phase, epoch, step: state.step, metrics: measured.metrics, last, ...(measured.line ? { line: measured.line } : {}) }));
        // A finished phase's networks stay at its last epoch in later phases' checkpoints.
        if (last) for (const n of trained) state.networkEpochs[n] = state.epoch;
      }
      await fire((cb) => cb.phaseEnd?.(run, phase));
      return true;
    } finally {
      active.dispose();
    }
  }
}

export async function train<M extends ModelNetworks, O extends GanOptimizers>(options: RunOptions<M, O>): Promise<RunResult> {
  return new Trainer(options).run();
}
