/**
 * The whole state of a training run, saved into a checkpoint and restored from one as a unit:
 * where the run is (phase, epoch, batch, step, the phases done), what it measured (the last and
 * the best monitored metric), the behaviour switches its weights need (`options`, e.g. the
 * original's attention mask for imported AttnGAN weights), the initial-weights seed, and the
 * tensors: every network, every optimizer of the phase (moments stored exactly as kept, so a resumed
 * run continues bit for bit), G's EMA, the captions G's DAMSM term keeps as negatives, and the
 * vocabulary. Checkpoint folders themselves are runtime/io/checkpoint.ts.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Vocabulary } from '../data/vocab.js';
import { readCheckpointJson, readCheckpointTensors, readManifest, writeCheckpoint, type CheckpointManifest, type OptimizerEntry } from '../io/checkpoint.js';
import type { TorchState } from '../io/torch-state.js';
import { exportState, fromTorchLayout, toTorchLayout } from '../nn/state.js';
import type { Adam } from '../optim/step.js';
import type { CaptionQueue } from '../losses/index.js';
import type { ParameterEma } from '../optim/ema.js';
import type { ModelNetworks, SpecIdentity } from '../model/contract.js';
import { checkpointVocabulary, generatorIsEma, loadCheckpointNetworks } from '../model/load.js';
import { emaGeneratorState, LIVE_GENERATOR_FILE, loadEma, networkFiles, variableIndex, type NetworkKey } from '../model/networks.js';
import { AttncError } from '../util/errors.js';

/** Where a run is and what it carries from checkpoint to checkpoint. */
export interface TrainState {
  /** The phase that runs (or ran last). */
  phase: string;
  /** Epoch and batch within it that run next; steps done in this phase. */
  epoch: number;
  batch: number;
  step: number;
  /** Phases finished, in order. */
  done: string[];
  /** Last values of epoch metrics (e.g. `damsm_r1`). */
  metrics: Record<string, number>;
  /** The best value of each monitored metric (e.g. `damsm_r1` → the R@1 of `best-damsm`). */
  best: Record<string, number>;
  /** Behaviour switches the weights need, carried into every checkpoint (see model/checkpoint-options.ts). */
  options: Record<string, string>;
  /**
   * The epoch the weights of a network the running phase does not train are from (the encoders in
   * the GAN phase: their last DAMSM epoch, or the epoch in their weights file's name), recorded
   * beside the network in every checkpoint so `attnc export` names each file after its own epoch.
   */
  networkEpochs: Partial<Record<NetworkKey, number>>;
  /** Seed of the initial weights. */
  seed: number;
}

/** An optimizer of the running phase, by its checkpoint id (`encoders`, `generator`, `discriminator_0`…). */
export type NamedOptimizer = { id: string; optimizer: Adam };

/** The run-level facts every checkpoint records. */
export interface CheckpointSource {
  spec: SpecIdentity;
  generatedDir: string | null;
  vocab: Vocabulary;
  model: ModelNetworks;
}

/** Adam states as PyTorch-layout tensors keyed `<id>/<network>/<param>/exp_avg|exp_avg_sq`, plus their entries. */
async function saveOptimizers(model: ModelNetworks, optimizers: readonly NamedOptimizer[]): Promise<{ state: TorchState; entries: OptimizerEntry[] }> {
  const index = variableIndex(model);
  const state: TorchState = new Map();
  const entries: OptimizerEntry[] = [];
  for (const { id, optimizer } of optimizers) {
    const s = await optimizer.exportState();
    const params: string[] = [];
    for (const { variable, m, v } of s.moments) {
      const info = index.get(variable);
      if (!info) throw new Error(`optimizer ${id}: moments of an unknown variable ${variable}`);
      params.push(info.key);
      state.set(`${id}/${info.key}/exp_avg`, toTorchLayout(m, info.layout));
      state.set(`${id}/${info.key}/exp_avg_sq`, toTorchLayout(v, info.layout));
    }
    const entry: OptimizerEntry = { id, iterations: s.iterations, lr: s.lr, params };
    if (s.scale.m !== 1 || s.scale.v !== 1) entry.scale = { exp_avg: s.scale.m, exp_avg_sq: s.scale.v };
    if (s.betaPowers) entry.betaPowers = s.betaPowers;
    entries.push(entry);
  }
  return { state, entries };
}

/**
 * Writes `checkpoints/<name>/` with the whole state: networks (G's EMA as netG and its live weights
 * as netG_live when there is an EMA), the optimizers given, the vocabulary and the manifest.
 */
export async function writeTrainCheckpoint(
  checkpointsDir: string,
  name: string,
  run: CheckpointSource,
  state: TrainState,
  parts: { optimizers: readonly NamedOptimizer[]; ema: ParameterEma | null; negatives?: CaptionQueue | null },
  options: { latest?: boolean } = {},
): Promise<string> {
  const tensors: Record<string, TorchState> = {};
  const networks: CheckpointManifest['networks'] = {};
  for (const { file, network, module } of networkFiles(run.model)) {
    if (file === 'netG.safetensors' && parts.ema) {
      tensors[file] = emaGeneratorState(run.model.generator, parts.ema);
      networks[file] = { network, weights: 'ema' };
      tensors[LIVE_GENERATOR_FILE] = exportState(module);
      networks[LIVE_GENERATOR_FILE] = { network, weights: 'live' };
    } else {
      tensors[file] = exportState(module);
      const own = state.networkEpochs[network];
      networks[file] = { network, weights: 'live', ...(own !== undefined ? { epoch: own } : {}) };
    }
  }
  const { state: optState, entries } = await saveOptimizers(run.model, parts.optimizers);
  if (entries.length) tensors['optimizers.safetensors'] = optState;
  const json: Record<string, unknown> = { 'vocab.json': run.vocab.toJSON() };
  const queued = parts.negatives?.exportState();
  if (queued) {
    try {
      tensors[NEGATIVES_FILE] = new Map([
        ['words', { shape: [...queued.words.shape], data: (await queued.words.data()) as Float32Array }],
        ['sentence', { shape: [...queued.sentence.shape], data: (await queued.sentence.data()) as Float32Array }],
      ]);
      json[NEGATIVES_JSON] = { lengths: queued.lengths, classIds: queued.classIds };
    } finally {
      tf.dispose([queued.words, queued.sentence]);
    }
  }
  const best = Object.fromEntries(Object.entries(state.best).map(([k, v]) => [`best_${k}`, v]));
  return writeCheckpoint(
    checkpointsDir,
    name,
    {
      spec: { name: run.spec.name, sha256: run.spec.sha256, file: run.spec.file },
      generated: run.generatedDir,
      phase: state.phase,
      progress: { epoch: state.epoch, batch: state.batch, step: state.step, damsmComplete: state.done.includes('damsm'), done: [...state.done] },
      seed: state.seed,
      networks,
      optimizers: entries,
      metrics: { ...state.metrics, ...best },
      options: { ...state.options },
      wallTime: Date.now() / 1000,
      tensors,
      json,
    },
    options,
  );
}

/** The GAN phase's negative queue in a checkpoint: word and sentence features, and their lengths and class ids. */
const NEGATIVES_FILE = 'negatives.safetensors';
const NEGATIVES_JSON = 'negatives.json';

/** A checkpoint being resumed from: its `TrainState`, and the tensors restored on demand. */
export class SavedRun {
  readonly manifest: CheckpointManifest;
  readonly state: TrainState;

  constructor(readonly dir: string) {
    const m = readManifest(dir);
    this.manifest = m;
    const metrics: Record<string, number> = {};
    const best: Record<string, number> = {};
    for (const [k, v] of Object.entries(m.metrics)) {
      if (k.startsWith('best_')) best[k.slice('best_'.length)] = v;
      else metrics[k] = v;
    }
    // Older checkpoints kept no best: their last value is the best known.
    if (best.damsm_r1 === undefined && metrics.damsm_r1 !== undefined) best.damsm_r1 = metrics.damsm_r1;
    const done = m.progress.done ?? (m.progress.damsmComplete || m.phase === 'gan' || m.phase === 'import' ? ['damsm'] : []);
    // An imported checkpoint continues in the GAN phase, from its start.
    const phase = m.phase === 'import' ? 'gan' : m.phase;
    // The encoders' own epochs: recorded in a GAN checkpoint; a DAMSM checkpoint's are its own.
    const networkEpochs: TrainState['networkEpochs'] = {};
    for (const e of Object.values(m.networks)) {
      const epoch = e.epoch ?? (m.phase === 'damsm' ? m.progress.epoch : undefined);
      if (epoch !== undefined && (e.network === 'text_encoder' || e.network === 'image_encoder')) networkEpochs[e.network] = epoch;
    }
    this.state = { phase, epoch: m.progress.epoch, batch: m.progress.batch, step: m.progress.step, done, metrics, best, options: { ...m.options }, networkEpochs, seed: m.seed };
  }

  /** Checks that the checkpoint belongs to this spec and dataset. */
  check(spec: SpecIdentity, vocab: Vocabulary): void {
    const m = this.manifest;
    if (m.spec.sha256 !== spec.sha256) {
      throw new AttncError('ATTNC_CHECKPOINT_SPEC', `${this.dir}: the checkpoint was written by spec ${m.spec.name} (${m.spec.file}, sha256 ${m.spec.sha256.slice(0, 12)}…), this model is ${spec.name} (sha256 ${spec.sha256.slice(0, 12)}…)`, {
        path: this.dir,
        hint: `\`attnc diff ${m.spec.file} ${spec.file}\` shows what differs and whether the weights still load`,
      });
    }
    const saved = checkpointVocabulary(this.dir, m);
    if (!saved.equals(vocab)) {
      throw new AttncError('ATTNC_CHECKPOINT', `${this.dir}: the checkpoint's vocabulary (${saved.size} words) is not the dataset's (${vocab.size} words)`, { path: this.dir, hint: 'resume with the dataset the run was started on' });
    }
  }

  /** Every network (G's live weights), then the options the weights need. Returns notes on the options applied. */
  restoreNetworks(model: ModelNetworks): string[] {
    return loadCheckpointNetworks(model, this.dir, this.manifest, { live: true });
  }

  /** Restores the optimizers the checkpoint has an entry for (others keep their fresh state). */
  async restoreOptimizers(model: ModelNetworks, optimizers: readonly NamedOptimizer[]): Promise<void> {
    const m = this.manifest;
    if (!m.files['optimizers.safetensors']) return;
    const file = path.join(this.dir, 'optimizers.safetensors');
    const saved = readCheckpointTensors(this.dir, m, 'optimizers.safetensors');
    const byKey = new Map([...variableIndex(model).values()].map((v) => [v.key, v]));
    for (const { id, optimizer } of optimizers) {
      const entry = m.optimizers.find((o) => o.id === id);
      if (!entry || entry.params.length === 0) continue;
      const moments = entry.params.map((key) => {
        const info = byKey.get(key);
        const tm = saved.get(`${id}/${key}/exp_avg`);
        const tv = saved.get(`${id}/${key}/exp_avg_sq`);
        if (!info || !tm || !tv) throw new AttncError('ATTNC_CHECKPOINT', `${file}: optimizer ${id} has no state for ${key}`, { path: file, hint: 'the checkpoint belongs to another model' });
        return { variable: info.variable.name, m: fromTorchLayout(tm, info.layout), v: fromTorchLayout(tv, info.layout) };
      });
      try {
        await optimizer.importState({
          iterations: entry.iterations,
          lr: entry.lr,
          moments,
          scale: { m: entry.scale?.exp_avg ?? 1, v: entry.scale?.exp_avg_sq ?? 1 },
          ...(entry.betaPowers ? { betaPowers: entry.betaPowers } : {}),
        });
      } finally {
        tf.dispose(moments.flatMap((x) => [x.m, x.v]));
      }
    }
  }

  /**
   * The captions G's DAMSM term kept as negatives, when the checkpoint has them (one from before the
   * GAN phase, or from a spec without a queue, leaves the queue empty, as at the phase's start).
   */
  restoreNegatives(queue: CaptionQueue): void {
    const m = this.manifest;
    if (!m.files[NEGATIVES_FILE] || !m.files[NEGATIVES_JSON]) return;
    const file = path.join(this.dir, NEGATIVES_FILE);
    const saved = readCheckpointTensors(this.dir, m, NEGATIVES_FILE);
    const json = readCheckpointJson(this.dir, m, NEGATIVES_JSON);
    const meta = (typeof json === 'object' && json !== null ? json : {}) as { lengths?: unknown; classIds?: unknown };
    const words = saved.get('words');
    const sentence = saved.get('sentence');
    const lengths = meta.lengths;
    const classIds = meta.classIds ?? null;
    const ints = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => Number.isInteger(v));
    const bad = (why: string) =>
      new AttncError('ATTNC_CHECKPOINT', `${file}: the saved negative captions are not a queue (${why})`, {
        path: file,
        hint: 'the checkpoint is damaged or was written with a larger `negative_queue`; resume from an earlier one, or with the spec it was written by',
      });
    if (!words || !sentence || words.shape.length !== 3 || sentence.shape.length !== 2 || !ints(lengths) || (classIds !== null && !ints(classIds))) {
      throw bad('words [n, T, D], sentence [n, D], integer lengths and class ids expected');
    }
    // The queue checks that the parts agree with each other and fit it.
    const state = { words: tf.tensor3d(words.data, words.shape as [number, number, number]), sentence: tf.tensor2d(sentence.data, sentence.shape as [number, number]), lengths, classIds };
    try {
      queue.importState(state);
    } catch (e) {
      tf.dispose([state.words, state.sentence]);
      throw bad((e as Error).message);
    }
  }

  /** G's moving average, when the checkpoint saved netG as one. */
  restoreEma(ema: ParameterEma, model: ModelNetworks): void {
    if (!generatorIsEma(this.manifest)) return;
    loadEma(ema, model.generator, readCheckpointTensors(this.dir, this.manifest, 'netG.safetensors'), path.join(this.dir, 'netG.safetensors'));
  }
}
