/**
 * The generic training runner: executes any generated model's plan. DAMSM pretraining of the
 * encoders, then GAN training with the encoders frozen, as the original's pretrain_DAMSM.py and
 * trainer.py do — with checkpoints that resume exactly, metrics, TensorBoard, sample grids and
 * progress. Written once; a spec change regenerates only the plan and the step functions.
 *
 * Determinism: the data order and augmentation of every batch are a function of (phase seed, epoch,
 * position), the dropout mask and the noise of every step a function of (phase seed, step). So two
 * runs with one seed see the same numbers, and a resumed run continues as if never stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors } from '../io/safetensors.js';
import { openDataset, disposeBatch, type Batch, type Dataset } from '../data/dataset.js';
import { datasetConfigFromPlan } from '../data/from-plan.js';
import { hash32 } from '../util/rng.js';
import { Vocabulary } from '../data/vocab.js';
import { AttncError } from '../util/errors.js';
import { loadPth, type PthLoadOptions } from '../io/pth-load.js';
import {
  cleanInterruptedWrites,
  pruneCheckpoints,
  readCheckpointJson,
  readCheckpointTensors,
  readManifest,
  writeCheckpoint,
  type CheckpointManifest,
  type CheckpointPhase,
} from './checkpoint.js';
import type { ParameterEma } from './ema.js';
import type { GanOptimizerSet, GeneratedModel, RuntimeModel } from './generated-model.js';
import { emaGeneratorState, epochInFileName, loadEma, networkFiles, restoreOptimizer, saveOptimizer, setLearningRate, variableIndex, type NetworkKey } from './model-state.js';
import { exportState, importState, type TorchState } from '../nn/state.js';
import { formatDuration, type Reporter } from './reporter.js';
import { prepareRunFolder, type RunFolder } from './run-folder.js';
import { renderSampleGrid } from './sample-grid.js';
import { readLosses, type LossTensors } from './step.js';
import { EventWriter } from './tensorboard.js';
import { shownPath } from '../util/shown-path.js';

export type PhaseName = 'damsm' | 'gan';

export interface RunOptions {
  gen: GeneratedModel;
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
  /** Seed of the initial weights; also replaces both phases' seeds when given. */
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
  /** Set by signal handlers: the runner stops after the current step and writes a checkpoint. */
  stop?: { requested: NodeJS.Signals | null };
  /** Captions rendered in the sample grids (default: the first captions of the test split). */
  sampleRows?: number;
  /** Called after every step (tests watch tensor counts and memory with it). */
  onStep?: (phase: PhaseName, step: number) => void;
}

export interface RunResult {
  runDir: string;
  /** Why the run ended. */
  ended: 'completed' | 'max-steps' | 'max-minutes' | NodeJS.Signals;
  steps: number;
  lastCheckpoint: string | null;
  bestCheckpoint: string | null;
  samples: string[];
  metrics: Record<string, number>;
}

interface Progress {
  phase: PhaseName;
  epoch: number;
  batch: number;
  step: number;
  damsmComplete: boolean;
}

/** A loss that is not finite stops the run; the checkpoints written before it stay. */
class NonFiniteLoss extends AttncError {}

const DAMSM_EVAL_BATCHES = 8;

function stepSeed(phaseSeed: number, step: number): number {
  return hash32(phaseSeed ^ 0x51ed270b, step) & 0x7fffffff;
}

function epochSeed(phaseSeed: number, epoch: number): number {
  return hash32(phaseSeed, epoch + 1);
}

/** Estimated bytes of one checkpoint: every weight twice (EMA + live G, Adam moments ≈ 2×). */
function checkpointBytes(model: RuntimeModel): number {
  let n = 0;
  for (const { module } of networkFiles(model)) n += module.slotInfos().reduce((s, x) => s + x.variable.size, 0);
  return n * 4 * 4;
}

export class Runner {
  private readonly gen: GeneratedModel;
  private readonly o: RunOptions;
  private readonly folder: RunFolder;
  private readonly tb: EventWriter;
  private model!: RuntimeModel;
  private vocab!: Vocabulary;
  private train!: Dataset;
  private test!: Dataset;
  private readonly started = Date.now();
  private stepsThisRun = 0;
  private lastCheckpoint: string | null = null;
  private bestCheckpoint: string | null = null;
  private bestR1 = -1;
  private readonly samples: string[] = [];
  private readonly finalMetrics: Record<string, number> = {};
  private ended: RunResult['ended'] = 'completed';
  private initSeed: number;

  constructor(options: RunOptions) {
    this.o = options;
    this.gen = options.gen;
    this.initSeed = options.seed ?? this.gen.plan.phases.damsm.seed;
    // Checked again with the real model size once it exists; this catches an unwritable --out early.
    this.folder = prepareRunFolder(options.runDir, 0);
    cleanInterruptedWrites(this.folder.checkpoints);
    this.tb = new EventWriter(this.folder.tensorboard);
  }

  private phaseSeed(p: PhaseName): number {
    return this.o.seed ?? this.gen.plan.phases[p].seed;
  }

  private async openData(): Promise<void> {
    const plan = this.gen.plan;
    const common = { ...(this.o.dataRoot ? { root: this.o.dataRoot } : {}) };
    try {
      this.train = await openDataset(datasetConfigFromPlan(plan.data, 'train', common));
      this.test = await openDataset(datasetConfigFromPlan(plan.data, 'test', { ...common, augment: false }));
    } catch (e) {
      if (e instanceof AttncError && plan.data.dataset.kind !== 'synthbirds' && e.code === 'ATTNC_DATA_MISSING') {
        const layout = plan.data.dataset.kind === 'cub' ? 'the AttnGAN birds layout (captions.pickle or text/, train/filenames.pickle, test/filenames.pickle, CUB_200_2011/images/)' : plan.data.dataset.kind === 'coco' ? 'the AttnGAN COCO layout (captions.pickle or text/, train/ and test/filenames.pickle, images/)' : 'the custom layout (train.txt, test.txt, images/, text/)';
        throw new AttncError(e.code, e.message, { path: e.path, hint: `pass the dataset folder with --data <dir>; it must hold ${layout} — docs/datasets.md`, cause: e });
      }
      throw e;
    }
    this.vocab = this.train.vocab;
  }

  async run(): Promise<RunResult> {
    const plan = this.gen.plan;
    const r = this.o.reporter;
    await this.openData();
    try {
      if (this.o.resolvedSpec !== undefined) fs.writeFileSync(path.join(this.folder.dir, 'resolved.yaml'), this.o.resolvedSpec);
      this.tb.text('spec/resolved', '```yaml\n' + (this.o.resolvedSpec ?? JSON.stringify(plan, null, 2)) + '\n```', 0);
      this.model = this.gen.createModel({ vocabSize: this.vocab.size, seed: this.initSeed });
      prepareRunFolder(this.folder.dir, checkpointBytes(this.model));
      const resumed = this.o.resume ? await this.loadResume(this.o.resume) : null;
      if (!resumed) this.loadSpecWeights();
      const phases = this.o.phases ?? (['damsm', 'gan'] as const).filter((p) => plan.phases[p].enabled);
      r.log(`attnc train ${plan.name}: ${phases.join(' → ')} on ${plan.data.dataset.kind} (${this.train.size} train / ${this.test.size} test images, vocabulary ${this.vocab.size}) → ${shownPath(this.folder.dir)}`);
      let progress: Progress | null = resumed;
      if (phases.includes('damsm') && !(progress && (progress.phase === 'gan' || progress.damsmComplete))) {
        if (!(await this.runDamsm(progress?.phase === 'damsm' ? progress : null))) return this.result();
        progress = null;
      }
      if (phases.includes('gan')) {
        const encodersReady = phases.includes('damsm') || (resumed !== null && (resumed.damsmComplete || resumed.phase === 'gan')) || !plan.phases.damsm.enabled || (plan.weights.textEncoder !== null && plan.weights.imageEncoder !== null);
        if (!encodersReady) {
          throw new AttncError('ATTNC_TRAIN_ENCODERS', 'the GAN phase needs trained DAMSM encoders', {
            hint: 'run the DAMSM phase first (--phase all or --phase damsm), resume from a DAMSM checkpoint (--resume <run>), or name the encoders under `weights:` in the spec',
          });
        }
        await this.runGan(progress?.phase === 'gan' ? progress : null);
      }
      return this.result();
    } finally {
      this.tb.close();
      await this.train?.close();
      await this.test?.close();
      if (this.model) this.gen.disposeModel(this.model);
    }
  }

  private result(): RunResult {
    return { runDir: this.folder.dir, ended: this.ended, steps: this.stepsThisRun, lastCheckpoint: this.lastCheckpoint, bestCheckpoint: this.bestCheckpoint, samples: this.samples, metrics: this.finalMetrics };
  }

  /** `weights:` files of the spec: safetensors, attnc checkpoints, or the original's PyTorch .pth files. */
  private loadSpecWeights(): void {
    const w = this.gen.plan.weights;
    const load = (file: string | null, module: RuntimeModel['textEncoder'] | RuntimeModel['imageEncoder'] | RuntimeModel['generator'], what: string, ckptFile: string, pth: PthLoadOptions = {}) => {
      if (!file) return;
      let state: TorchState;
      if (fs.existsSync(path.join(file, 'manifest.json'))) {
        const m = readManifest(file);
        state = readCheckpointTensors(file, m, ckptFile);
      } else if (file.endsWith('.safetensors')) {
        state = readSafetensorsState(file);
      } else if (/\.(pth|pt)$/.test(file)) {
        // Safe reader (runtime/io/pth.ts), strict, layout by layer kind, one tensor at a time.
        const r = loadPth(module, file, pth);
        this.o.reporter.log(`loaded ${what} weights from ${file} (${r.format} .pth, ${r.loaded.length} tensors)`);
        return;
      } else {
        throw new AttncError('ATTNC_WEIGHTS_FORMAT', `${file}: ${what} weights must be a .pth, a .safetensors file or an attnc checkpoint folder`, {
          path: file,
          hint: 'the original\'s .pth files can also be converted once with `attnc import`',
        });
      }
      importState(module, state, { source: file });
      this.o.reporter.log(`loaded ${what} weights from ${file}`);
    };
    // The encoders' own epochs, from the original's file names (text_encoder200.pth), for `attnc export`.
    for (const [network, file] of [['text_encoder', w.textEncoder], ['image_encoder', w.imageEncoder]] as const) {
      const epoch = file === null ? undefined : epochInFileName(file);
      if (epoch !== undefined) this.encoderEpochs[network] = epoch;
    }
    load(w.textEncoder, this.model.textEncoder, 'text encoder', 'text_encoder.safetensors');
    // torchvision's ImageNet Inception-v3 for the trunk; the image encoder's own file (below) overrides it.
    load(w.imageEncoderTrunk, this.model.imageEncoder, 'image encoder trunk', 'image_encoder.safetensors', {
      dropUnexpected: /^(AuxLogits|fc)\./,
      allowMissing: /^emb_(features|cnn_code)\./,
    });
    load(w.imageEncoder, this.model.imageEncoder, 'image encoder', 'image_encoder.safetensors', { partial: w.imageEncoderTrunk !== null });
    load(w.generator, this.model.generator, 'generator', 'netG.safetensors');
  }

  // ── resume ─────────────────────────────────────────────────────────────────────────────────────

  private resumeState: { manifest: CheckpointManifest; dir: string } | null = null;
  /** The epoch the encoders' weights are from, when they did not train in this phase (recorded in GAN checkpoints for `attnc export`). */
  private encoderEpochs: Partial<Record<NetworkKey, number>> = {};

  private async loadResume(dir: string): Promise<Progress> {
    const m = readManifest(dir);
    if (m.spec.sha256 !== this.gen.SPEC.sha256) {
      throw new AttncError('ATTNC_CHECKPOINT_SPEC', `${dir}: the checkpoint was written by spec ${m.spec.name} (${m.spec.file}, sha256 ${m.spec.sha256.slice(0, 12)}…), this model is ${this.gen.SPEC.name} (sha256 ${this.gen.SPEC.sha256.slice(0, 12)}…)`, {
        path: dir,
        hint: `\`attnc diff ${m.spec.file} ${this.gen.SPEC.file}\` shows what differs and whether the weights still load`,
      });
    }
    const saved = Vocabulary.fromJSON(readCheckpointJson(dir, m, 'vocab.json'), path.join(dir, 'vocab.json'));
    if (saved.size !== this.vocab.size || saved.ixToWord.some((w, i) => w !== this.vocab.ixToWord[i])) {
      throw new AttncError('ATTNC_CHECKPOINT', `${dir}: the checkpoint's vocabulary (${saved.size} words) is not the dataset's (${this.vocab.size} words)`, { path: dir, hint: 'resume with the dataset the run was started on' });
    }
    for (const { file, module } of networkFiles(this.model)) {
      const live = file === 'netG.safetensors' && m.files['netG_live.safetensors'] ? 'netG_live.safetensors' : file;
      if (!m.files[live]) continue;
      importState(module, readCheckpointTensors(dir, m, live), { source: path.join(dir, live) });
    }
    this.resumeState = { manifest: m, dir };
    for (const [file, e] of Object.entries(m.networks)) {
      const epoch = e.epoch ?? (m.phase === 'damsm' ? m.progress.epoch : undefined);
      if (epoch !== undefined && (file === 'text_encoder.safetensors' || file === 'image_encoder.safetensors')) this.encoderEpochs[e.network as NetworkKey] = epoch;
    }
    if (typeof m.metrics.damsm_r1 === 'number') this.bestR1 = m.metrics.best_damsm_r1 ?? m.metrics.damsm_r1;
    this.o.reporter.log(`resuming from ${shownPath(dir)}: ${m.phase} phase, epoch ${m.progress.epoch}, batch ${m.progress.batch}, step ${m.progress.step}`);
    return { phase: m.phase === 'import' ? 'gan' : m.phase, ...m.progress };
  }

  private async restoreOptimizers(list: Array<{ id: string; optimizer: tf.Optimizer }>): Promise<void> {
    const rs = this.resumeState;
    if (!rs || !rs.manifest.files['optimizers.safetensors']) return;
    const state = readCheckpointTensors(rs.dir, rs.manifest, 'optimizers.safetensors');
    for (const { id, optimizer } of list) {
      const entry = rs.manifest.optimizers.find((o) => o.id === id);
      if (entry) await restoreOptimizer(optimizer, entry, state, this.model, path.join(rs.dir, 'optimizers.safetensors'));
    }
  }

  // ── checkpoints ────────────────────────────────────────────────────────────────────────────────

  private async checkpoint(name: string, phase: CheckpointPhase, progress: Progress, optimizers: Array<{ id: string; optimizer: tf.Optimizer }>, ema: ParameterEma | null, options: { latest?: boolean } = {}): Promise<string> {
    const tensors: Record<string, TorchState> = {};
    const networks: CheckpointManifest['networks'] = {};
    for (const { file, network, module } of networkFiles(this.model)) {
      if (file === 'netG.safetensors' && ema) {
        tensors[file] = emaGeneratorState(this.model.generator, ema);
        networks[file] = { network, weights: 'ema' };
        tensors['netG_live.safetensors'] = exportState(module);
        networks['netG_live.safetensors'] = { network, weights: 'live' };
      } else {
        tensors[file] = exportState(module);
        const own = phase === 'gan' ? this.encoderEpochs[network] : undefined;
        networks[file] = { network, weights: 'live', ...(own !== undefined ? { epoch: own } : {}) };
      }
    }
    const index = variableIndex(this.model);
    const optState: TorchState = new Map();
    const optEntries: CheckpointManifest['optimizers'] = [];
    for (const { id, optimizer } of optimizers) {
      const { state, entry } = await saveOptimizer(id, optimizer, index);
      for (const [k, v] of state) optState.set(k, v);
      optEntries.push(entry);
    }
    if (optEntries.length) tensors['optimizers.safetensors'] = optState;
    const dir = writeCheckpoint(
      this.folder.checkpoints,
      name,
      {
        spec: { name: this.gen.SPEC.name, sha256: this.gen.SPEC.sha256, file: this.gen.SPEC.file },
        generated: this.o.generatedDir,
        phase,
        progress: { epoch: progress.epoch, batch: progress.batch, step: progress.step, damsmComplete: progress.damsmComplete },
        seed: this.initSeed,
        networks,
        optimizers: optEntries,
        metrics: { ...this.finalMetrics, ...(this.bestR1 >= 0 ? { best_damsm_r1: this.bestR1 } : {}) },
        options: {},
        wallTime: Date.now() / 1000,
        tensors,
        json: { 'vocab.json': this.vocab.toJSON() },
      },
      options,
    );
    if (options.latest !== false) {
      this.lastCheckpoint = dir;
      pruneCheckpoints(this.folder.checkpoints, phase, this.o.keep ?? 3);
    }
    this.o.reporter.log(`checkpoint ${shownPath(dir)}`);
    return dir;
  }

  // ── logging ────────────────────────────────────────────────────────────────────────────────────

  private pending: Array<{ step: number; epoch: number; losses: Record<string, LossTensors> }> = [];
  private window = { images: 0, seconds: 0, stallMs: 0 };
  /** Smoothed training throughput for the status line and ETA (images per second of step time). */
  private rate = 0;

  private countStep(images: number, seconds: number): void {
    this.window.images += images;
    this.window.seconds += seconds;
    const r = images / Math.max(seconds, 1e-6);
    this.rate = this.rate === 0 ? r : 0.9 * this.rate + 0.1 * r;
  }

  /** Reads every buffered loss (one sync), checks it is finite, writes metrics.jsonl and TensorBoard. */
  private flushLosses(phase: PhaseName, lr: number): Record<string, number> | null {
    if (this.pending.length === 0) return null;
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
        throw new NonFiniteLoss('ATTNC_TRAIN_NAN', `the loss term "${term}" of ${net} became ${v} at step ${step} (${phase} phase); training stopped`, {
          hint: `the last good checkpoint is ${this.lastCheckpoint ?? '(none written yet)'}; lower the learning rate or check the data, then --resume from it`,
        });
      }
      (perStep.get(Number(step)) ?? perStep.set(Number(step), {}).get(Number(step))!)[key] = v;
    });
    const last = rows.at(-1)!;
    const latest = perStep.get(last.step)!;
    const ips = this.window.seconds > 0 ? this.window.images / this.window.seconds : 0;
    const line = {
      phase,
      step: last.step,
      epoch: last.epoch,
      wall: (Date.now() - this.started) / 1000,
      lr,
      images_per_s: Number(ips.toFixed(3)),
      data_stall_ms: Number((this.window.stallMs / rows.length).toFixed(2)),
      losses: latest,
    };
    fs.appendFileSync(this.folder.metrics, JSON.stringify(line) + '\n');
    for (const [step, losses] of perStep) for (const [k, v] of Object.entries(losses)) this.tb.scalar(`${phase}/${k}`, v, step);
    this.tb.scalar(`${phase}/lr`, lr, last.step);
    this.tb.scalar(`${phase}/images_per_s`, ips, last.step);
    this.tb.scalar(`${phase}/data_stall_ms`, line.data_stall_ms, last.step);
    this.window = { images: 0, seconds: 0, stallMs: 0 };
    return latest;
  }

  private shouldStop(): RunResult['ended'] | null {
    if (this.o.stop?.requested) return this.o.stop.requested;
    if (this.o.maxSteps !== undefined && this.stepsThisRun >= this.o.maxSteps) return 'max-steps';
    if (this.o.maxMinutes !== undefined && (Date.now() - this.started) / 60000 >= this.o.maxMinutes) return 'max-minutes';
    return null;
  }

  private status(phase: PhaseName, epoch: number, epochs: number, step: number, total: number, losses: Record<string, number> | null, ips: number): void {
    const shown = losses ? Object.entries(losses).filter(([k]) => k.endsWith('/loss') || /generator\/(adversarial|damsm|kl)$/.test(k)).map(([k, v]) => `${k.replace('/loss', '')} ${v.toFixed(3)}`).join('  ') : '';
    const eta = ips > 0 ? formatDuration(((total - step) * (this.gen.plan.phases[phase].batchSize)) / ips) : '?';
    this.o.reporter.status(`${phase} epoch ${epoch + 1}/${epochs} step ${step}/${total}  ${shown}  ${ips.toFixed(1)} img/s  ETA ${eta}`);
  }

  // ── the DAMSM phase ────────────────────────────────────────────────────────────────────────────

  private async damsmR1(seed: number): Promise<number> {
    const bs = this.gen.plan.phases.damsm.batchSize;
    let hits = 0;
    let total = 0;
    let n = 0;
    for await (const b of this.test.batches({ batchSize: Math.min(bs, this.test.size), seed, shuffle: true, prefetch: 0 })) {
      try {
        hits += tf.tidy(() => {
          const { global } = this.model.imageEncoder.apply(b.images.at(-1)!, false);
          const { sentence } = this.model.textEncoder.apply(b.captions, b.lengths, false);
          const img = tf.div(global, tf.add(tf.norm(global, 2, 1, true), 1e-8));
          const txt = tf.div(sentence, tf.add(tf.norm(sentence, 2, 1, true), 1e-8));
          const best = tf.argMax(tf.matMul(img, txt, false, true), 1);
          return tf.sum(tf.cast(tf.equal(best, tf.range(0, b.lengths.length, 1, 'int32')), 'int32')).dataSync()[0]!;
        });
        total += b.lengths.length;
      } finally {
        disposeBatch(b);
      }
      if (++n >= DAMSM_EVAL_BATCHES) break;
    }
    return total ? hits / total : 0;
  }

  /** Returns false when the run stopped early (bounds, signals). */
  private async runDamsm(from: Progress | null): Promise<boolean> {
    const p = this.gen.plan.phases.damsm;
    const seed = this.phaseSeed('damsm');
    const perEpoch = Math.floor(this.train.size / p.batchSize);
    if (perEpoch === 0) throw new AttncError('ATTNC_TRAIN_CONFIG', `the train split has ${this.train.size} images, fewer than one DAMSM batch of ${p.batchSize}`, { hint: 'lower train.damsm.batch_size' });
    const total = perEpoch * p.epochs;
    let step = from?.step ?? 0;
    let optimizer: tf.Optimizer | null = null;
    this.o.reporter.log(`DAMSM pretraining: ${p.epochs} epochs × ${perEpoch} steps, batch ${p.batchSize}, chance R@1 ${(1 / p.batchSize).toFixed(3)}`);
    try {
      for (let epoch = from?.epoch ?? 0; epoch < p.epochs; epoch++) {
        const lr = this.gen.damsmLearningRate(epoch);
        if (!optimizer || p.resetOptimizerEachEpoch) {
          optimizer?.dispose();
          optimizer = this.gen.createDamsmOptimizer(epoch);
        } else setLearningRate(optimizer, lr);
        const startBatch = epoch === from?.epoch ? from.batch : 0;
        if (startBatch > 0 || (from && epoch === from.epoch && !p.resetOptimizerEachEpoch)) await this.restoreOptimizers([{ id: 'encoders', optimizer }]);
        let batch = startBatch;
        let latest: Record<string, number> | null = null;
        let waitStart = performance.now();
        for await (const b of this.train.batches({ batchSize: p.batchSize, seed: epochSeed(seed, epoch), startBatch, workers: this.o.workers ?? 0, prefetch: this.o.prefetch ?? 2 })) {
          const t0 = performance.now();
          this.window.stallMs += t0 - waitStart;
          try {
            const losses = this.gen.damsmStep(this.model, optimizer, { images: b.images.at(-1)!, tokens: b.captions, lengths: b.lengths, classIds: b.classIds }, stepSeed(seed, step));
            this.pending.push({ step: step + 1, epoch, losses: { encoders: losses } });
          } finally {
            disposeBatch(b);
          }
          step++;
          batch++;
          this.stepsThisRun++;
          this.countStep(p.batchSize, (performance.now() - t0) / 1000);
          if (step % p.logEvery === 0) latest = this.flushLosses('damsm', lr);
          this.o.onStep?.('damsm', step);
          await yieldToEventLoop();
          this.status('damsm', epoch, p.epochs, step, total, latest, this.rate);
          const stop = this.shouldStop();
          if (stop) {
            this.flushLosses('damsm', lr);
            this.ended = stop;
            const done = batch >= perEpoch;
            const next = done ? { epoch: epoch + 1, batch: 0 } : { epoch, batch };
            await this.checkpoint(`damsm-${String(step).padStart(8, '0')}`, 'damsm', { phase: 'damsm', ...next, step, damsmComplete: false }, [{ id: 'encoders', optimizer }], null);
            this.o.reporter.log(`stopped (${stop}) at DAMSM step ${step}`);
            return false;
          }
          waitStart = performance.now();
        }
        this.flushLosses('damsm', lr);
        const r1 = await this.damsmR1(hash32(seed, 0xe7a1));
        this.finalMetrics.damsm_r1 = r1;
        fs.appendFileSync(this.folder.metrics, JSON.stringify({ phase: 'damsm', step, epoch, wall: (Date.now() - this.started) / 1000, damsm_r1: r1 }) + '\n');
        this.tb.scalar('damsm/R@1', r1, step);
        const last = epoch === p.epochs - 1;
        const progress: Progress = { phase: 'damsm', epoch: epoch + 1, batch: 0, step, damsmComplete: last };
        if (last) this.encoderEpochs = { text_encoder: epoch + 1, image_encoder: epoch + 1 };
        this.o.reporter.log(`DAMSM epoch ${epoch + 1}/${p.epochs}: R@1 ${(r1 * 100).toFixed(1)} % on ${Math.min(DAMSM_EVAL_BATCHES * p.batchSize, this.test.size)} test captions (lr ${lr.toPrecision(3)})`);
        if (r1 > this.bestR1) {
          this.bestR1 = r1;
          this.bestCheckpoint = await this.checkpoint('best-damsm', 'damsm', progress, [], null, { latest: false });
        }
        if ((epoch + 1) % p.snapshotInterval === 0 || last) await this.checkpoint(`damsm-${String(step).padStart(8, '0')}`, 'damsm', progress, [{ id: 'encoders', optimizer }], null);
      }
      return true;
    } finally {
      optimizer?.dispose();
    }
  }

  // ── the GAN phase ──────────────────────────────────────────────────────────────────────────────

  private sampleInputs: { tokens: tf.Tensor2D; lengths: number[]; captions: string[]; z: tf.Tensor2D; eps: tf.Tensor2D } | null = null;

  private async prepareSamples(): Promise<void> {
    if (this.sampleInputs) return;
    const rows = this.o.sampleRows ?? 8;
    const seed = this.phaseSeed('gan');
    for await (const b of this.test.batches({ batchSize: Math.min(rows, this.test.size), seed: hash32(seed, 0x5a3), shuffle: true, prefetch: 0 })) {
      const captions = b.lengths.map((len, i) => this.vocab.decode(Array.from(b.captions.slice([i, 0], [1, len]).dataSync())).join(' '));
      this.sampleInputs = { tokens: b.captions, lengths: b.lengths, captions, z: tf.randomNormal([b.lengths.length, this.zDim()], 0, 1, 'float32', seed + 7), eps: tf.randomNormal([b.lengths.length, this.cDim()], 0, 1, 'float32', seed + 11) };
      tf.dispose(b.images);
      break;
    }
  }

  private zDim(): number {
    return this.noiseDims().z;
  }

  private cDim(): number {
    return this.noiseDims().c;
  }

  private dims: { z: number; c: number } | null = null;

  /** The generator's noise sizes, read off a draw of the generated `drawNoise` shape contract. */
  private noiseDims(): { z: number; c: number } {
    if (!this.dims) {
      const gen = this.gen as GeneratedModel & { drawNoise?: (b: number, seed?: number) => { z: tf.Tensor2D; eps: tf.Tensor2D } };
      if (!gen.drawNoise) throw new Error('generated model has no drawNoise');
      const n = gen.drawNoise(1, 0);
      this.dims = { z: n.z.shape[1], c: n.eps.shape[1] };
      tf.dispose([n.z, n.eps]);
    }
    return this.dims;
  }

  /** Runs `f` with G's parameters swapped for the EMA averages, then puts the live ones back. */
  private withEma<T>(ema: ParameterEma | null, f: () => T): T {
    if (!ema) return f();
    const live = this.model.generator.namedParameters().map(([, v]) => tf.clone(v));
    try {
      ema.copyTo(this.model.generator);
      return f();
    } finally {
      this.model.generator.namedParameters().forEach(([, v], i) => v.assign(live[i]!));
      tf.dispose(live);
    }
  }

  private writeSamples(step: number, ema: ParameterEma | null): string {
    const s = this.sampleInputs!;
    const images = this.withEma(ema, () =>
      tf.tidy(() => this.gen.sample(this.model, s.tokens, s.lengths, { z: s.z, noise: s.eps }).images.map((t) => ({ size: t.shape[1], data: t.dataSync() as Float32Array }))),
    );
    const rows = s.captions.map((caption, i) => ({ caption, stages: images.map((im) => ({ size: im.size, data: im.data.subarray(i * im.size * im.size * 3, (i + 1) * im.size * im.size * 3) })) }));
    const grid = renderSampleGrid(rows, `${this.gen.plan.name} · GAN step ${step} · ${ema ? 'EMA generator' : 'generator'} · fixed test captions and noise`);
    const file = path.join(this.folder.samples, `gan-${String(step).padStart(8, '0')}.png`);
    fs.writeFileSync(file, grid.png);
    this.tb.image('samples/grid', grid.png, grid.width, grid.height, step);
    this.samples.push(file);
    return file;
  }

  private async runGan(from: Progress | null): Promise<void> {
    const p = this.gen.plan.phases.gan;
    const seed = this.phaseSeed('gan');
    const perEpoch = Math.floor(this.train.size / p.batchSize);
    if (perEpoch === 0) throw new AttncError('ATTNC_TRAIN_CONFIG', `the train split has ${this.train.size} images, fewer than one GAN batch of ${p.batchSize}`, { hint: 'lower train.gan.batch_size' });
    const total = perEpoch * p.epochs;
    this.model.textEncoder.freeze();
    this.model.imageEncoder.freeze();
    const optimizers: GanOptimizerSet = this.gen.createGanOptimizers();
    const ema = this.gen.createGeneratorEma(this.model);
    const optList = [{ id: 'generator', optimizer: optimizers.generator }, ...optimizers.discriminators.map((o, i) => ({ id: `discriminator_${i}`, optimizer: o }))];
    if (from) {
      await this.restoreOptimizers(optList);
      const rs = this.resumeState;
      if (ema && rs && rs.manifest.networks['netG.safetensors']?.weights === 'ema') loadEma(ema, this.model.generator, readCheckpointTensors(rs.dir, rs.manifest, 'netG.safetensors'), path.join(rs.dir, 'netG.safetensors'));
    }
    await this.prepareSamples();
    let step = from?.step ?? 0;
    const lr = (optimizers.generator as unknown as { learningRate: number }).learningRate;
    this.o.reporter.log(`GAN training: ${p.epochs} epochs × ${perEpoch} steps, batch ${p.batchSize}, ${optimizers.discriminators.length} discriminators, encoders frozen${ema ? ', EMA of G for samples' : ''}`);
    const progressAt = (epoch: number, batch: number): Progress => ({ phase: 'gan', epoch, batch, step, damsmComplete: true });
    let latest: Record<string, number> | null = null;
    try {
      for (let epoch = from?.epoch ?? 0; epoch < p.epochs; epoch++) {
        const startBatch = epoch === from?.epoch ? from.batch : 0;
        let batch = startBatch;
        let waitStart = performance.now();
        for await (const b of this.train.batches({ batchSize: p.batchSize, seed: epochSeed(seed, epoch), startBatch, workers: this.o.workers ?? 0, prefetch: this.o.prefetch ?? 2 })) {
          const t0 = performance.now();
          this.window.stallMs += t0 - waitStart;
          try {
            const out = this.gen.ganStep(this.model, optimizers, toGanBatch(b), ema, stepSeed(seed, step));
            const losses: Record<string, LossTensors> = { generator: out.generator };
            out.discriminators.forEach((d, i) => (losses[`discriminator_${i}`] = d));
            this.pending.push({ step: step + 1, epoch, losses });
          } finally {
            disposeBatch(b);
          }
          step++;
          batch++;
          this.stepsThisRun++;
          this.countStep(p.batchSize, (performance.now() - t0) / 1000);
          if (step % p.logEvery === 0) latest = this.flushLosses('gan', lr);
          this.o.onStep?.('gan', step);
          await yieldToEventLoop();
          if (step % p.sampleEvery === 0) {
            this.flushLosses('gan', lr);
            this.writeSamples(step, ema);
          }
          this.status('gan', epoch, p.epochs, step, total, latest, this.rate);
          const stop = this.shouldStop();
          if (stop) {
            this.flushLosses('gan', lr);
            this.ended = stop;
            const next = batch >= perEpoch ? progressAt(epoch + 1, 0) : progressAt(epoch, batch);
            this.writeSamples(step, ema);
            await this.checkpoint(`gan-${String(step).padStart(8, '0')}`, 'gan', next, optList, ema);
            this.o.reporter.log(`stopped (${stop}) at GAN step ${step}`);
            return;
          }
          waitStart = performance.now();
        }
        this.flushLosses('gan', lr);
        const last = epoch === p.epochs - 1;
        if ((epoch + 1) % p.snapshotInterval === 0 || last) {
          this.writeSamples(step, ema);
          await this.checkpoint(`gan-${String(step).padStart(8, '0')}`, 'gan', progressAt(epoch + 1, 0), optList, ema);
        }
      }
    } finally {
      optimizers.generator.dispose();
      for (const o of optimizers.discriminators) o.dispose();
      ema?.dispose();
      if (this.sampleInputs) tf.dispose([this.sampleInputs.tokens, this.sampleInputs.z, this.sampleInputs.eps]);
      this.sampleInputs = null;
    }
  }
}

/**
 * Lets timers, I/O and signal handlers run between steps: prefetched batches resolve as microtasks,
 * so without this a SIGINT would wait for the whole run.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function toGanBatch(b: Batch): { images: tf.Tensor4D[]; tokens: tf.Tensor2D; lengths: readonly number[]; classIds: readonly number[] } {
  return { images: b.images, tokens: b.captions, lengths: b.lengths, classIds: b.classIds };
}

function readSafetensorsState(file: string): TorchState {
  const { tensors } = decodeSafetensors(new Uint8Array(fs.readFileSync(file)), file);
  const out: TorchState = new Map();
  for (const [k, t] of tensors) out.set(k, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  return out;
}

export async function train(options: RunOptions): Promise<RunResult> {
  return new Runner(options).run();
}
