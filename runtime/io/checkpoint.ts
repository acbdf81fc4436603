/**
 * The attnc checkpoint: one folder per snapshot, read by train (resume), sample, eval, import and
 * export alike.
 *
 *   checkpoints/<name>/manifest.json          what it is (spec, phase, progress, files + sha256)
 *                      text_encoder.safetensors image_encoder.safetensors
 *                      netG.safetensors        G with the EMA weights (what the original's netG_epoch_N.pth holds)
 *                      netG_live.safetensors   G's live weights (to resume training)
 *                      netD0.safetensors …     one per discriminator, smallest first
 *                      optimizers.safetensors  Adam moments by `<optimizer>/<param>/exp_avg|exp_avg_sq`
 *                      vocab.json
 *   checkpoints/latest.json                   { "checkpoint": "<name>" }
 *
 * Weights are in PyTorch layout under the original's state_dict names, so a checkpoint of the birds
 * model loads into the original G_NET with `load_state_dict`. A folder is written under a temporary
 * name and renamed into place, and `latest.json` is replaced atomically after it: a crash or SIGKILL
 * at any point leaves the previous checkpoint loadable.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, writeDurable, writeFileAtomic } from './atomic.js';
import { encodeSafetensors, safetensorsState } from './safetensors.js';
import type { TorchState } from './torch-state.js';
import { AttncError } from '../util/errors.js';

export const CHECKPOINT_FORMAT = 'attnc-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The training phase that wrote the checkpoint (`damsm`, `gan`, a model family's own), or `import`. */
export type CheckpointPhase = string;

export interface CheckpointProgress {
  /** Epoch and batch (within the epoch) that run next. */
  epoch: number;
  batch: number;
  /** Steps done in this phase. */
  step: number;
  /** The DAMSM phase finished (a GAN run starts from these encoders); `done` says it for every phase. */
  damsmComplete: boolean;
  /** The phases finished before this point, in order (absent in checkpoints of older attnc). */
  done?: string[];
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  name: string;
  spec: { name: string; sha256: string; file: string };
  /** The generated folder the model code came from, when it was written (a hint for `attnc sample`). */
  generated: string | null;
  phase: CheckpointPhase;
  progress: CheckpointProgress;
  seed: number;
  /**
   * Weights files: which network, whether they hold live or EMA weights, and the epoch the weights
   * are from when it is not `progress.epoch` (encoders trained in the DAMSM phase of a GAN-phase
   * checkpoint; each imported file's own epoch), so `attnc export` names each file after its own.
   */
  networks: Record<string, { network: string; weights: 'live' | 'ema'; epoch?: number }>;
  optimizers: OptimizerEntry[];
  metrics: Record<string, number>;
  /** Behaviour switches the weights need (e.g. `attention_mask: original_bug` for the authors' weights). */
  options: Record<string, string>;
  files: Record<string, { bytes: number; sha256: string }>;
  wallTime: number;
}

/** One optimizer's state in `optimizers.safetensors`: its moments by `<id>/<network>/<param>/exp_avg|exp_avg_sq`. */
export interface OptimizerEntry {
  id: string;
  iterations: number;
  lr: number;
  /** The parameters it updates (`<network>/<param>`), in its order. */
  params: string[];
  /**
   * The stored moments are PyTorch's times these factors (TensorFlow's fused Adam keeps them so;
   * stored as kept, a resume is bit-exact). Absent: 1, PyTorch's own moments.
   */
  scale?: { exp_avg: number; exp_avg_sq: number };
  /** β₁ᵗ, β₂ᵗ as tfjs's own Adam arithmetic keeps them (its portable path). */
  betaPowers?: [number, number];
}

export type CheckpointWrite = Omit<CheckpointManifest, 'format' | 'version' | 'files' | 'name'> & {
  /** safetensors files by file name. */
  tensors: Record<string, TorchState>;
  /** JSON files by file name (e.g. vocab.json). */
  json: Record<string, unknown>;
};

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Called after each file of a write, and between the two renames of a replacement (`(swap)`); tests kill the process there. */
let writeHook: ((file: string) => void) | null = null;
export function setCheckpointWriteHook(hook: ((file: string) => void) | null): void {
  writeHook = hook;
}

/**
 * Writes `checkpoints/<name>/` atomically (replacing an older folder of that name, as `best` is) and
 * points `latest.json` at it unless `latest: false`. Returns the folder.
 */
export function writeCheckpoint(checkpointsDir: string, name: string, c: CheckpointWrite, options: { latest?: boolean } = {}): string {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new Error(`invalid checkpoint name "${name}"`);
  fs.mkdirSync(checkpointsDir, { recursive: true });
  const final = path.join(checkpointsDir, name);
  const tmp = path.join(checkpointsDir, `.tmp-${name}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  const files: CheckpointManifest['files'] = {};
  const put = (file: string, bytes: Uint8Array | string) => {
    writeDurable(path.join(tmp, file), bytes);
    files[file] = { bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length, sha256: sha256(bytes) };
    writeHook?.(file);
  };
  for (const [file, state] of Object.entries(c.tensors)) put(file, encodeSafetensors([...state], { format: 'pt', attnc: `${c.spec.name}:${c.phase}` }));
  for (const [file, value] of Object.entries(c.json)) put(file, JSON.stringify(value));
  const { tensors: _t, json: _j, ...rest } = c;
  const manifest: CheckpointManifest = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, name, ...rest, files };
  writeDurable(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fsyncDir(tmp);
  let old: string | null = null;
  if (fs.existsSync(final)) {
    // Replacing (a `best-*` checkpoint): between these two renames the previous version exists only
    // as `.old-*`, which `cleanInterruptedWrites` puts back if the process dies here.
    old = path.join(checkpointsDir, `.old-${name}-${process.pid}`);
    fs.rmSync(old, { recursive: true, force: true });
    fs.renameSync(final, old);
    writeHook?.('(swap)');
  }
  fs.renameSync(tmp, final);
  fsyncDir(checkpointsDir);
  if (old) fs.rmSync(old, { recursive: true, force: true });
  if (options.latest !== false) writeFileAtomic(path.join(checkpointsDir, 'latest.json'), JSON.stringify({ checkpoint: name }) + '\n');
  return final;
}

/**
 * Cleans up after interrupted writes: a `.old-<name>-<pid>` whose `<name>` is gone is the previous
 * version of a checkpoint that was being replaced, and is put back; other `.old-*` and every
 * `.tmp-*` are removed. Returns what was removed.
 */
export function cleanInterruptedWrites(checkpointsDir: string): string[] {
  if (!fs.existsSync(checkpointsDir)) return [];
  const gone: string[] = [];
  const entries = fs.readdirSync(checkpointsDir).sort();
  for (const e of entries) {
    const m = /^\.old-([\w.-]+)-\d+$/.exec(e);
    if (!m) continue;
    const final = path.join(checkpointsDir, m[1]!);
    if (!fs.existsSync(final) && fs.existsSync(path.join(checkpointsDir, e, 'manifest.json'))) {
      fs.renameSync(path.join(checkpointsDir, e), final);
      fsyncDir(checkpointsDir);
    }
  }
  for (const e of fs.readdirSync(checkpointsDir)) {
    if (e.startsWith('.tmp-') || e.startsWith('.old-')) {
      fs.rmSync(path.join(checkpointsDir, e), { recursive: true, force: true });
      gone.push(e);
    }
  }
  return gone;
}

function bad(file: string, message: string, hint = 'the checkpoint is incomplete or was edited; use another checkpoint or re-create it'): never {
  throw new AttncError('ATTNC_CHECKPOINT', `${file}: ${message}`, { path: file, hint });
}

function readBounded(file: string, limit: number, what: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new AttncError('ATTNC_CHECKPOINT', `${file}: ${what} not found`, { path: file, cause: e, hint: 'pass a run folder, its checkpoints/ folder, or one checkpoint folder' });
  }
  if (!st.isFile()) bad(file, `${what} is not a file`);
  if (st.size > limit) bad(file, `${what} is ${st.size} bytes, over the limit of ${limit}`);
  return fs.readFileSync(file);
}

/**
 * A run folder, its `checkpoints/` folder, or a checkpoint folder → the checkpoint folder
 * (`latest.json`'s, or the newest complete one when `latest.json` is missing).
 */
export function resolveCheckpoint(p: string): string {
  const abs = path.resolve(p);
  if (!fs.existsSync(abs)) throw new AttncError('ATTNC_IO_READ', `${p}: no such run folder or checkpoint`, { path: p, hint: 'pass a run folder (runs/<name>-<n>), its checkpoints/ folder, or one checkpoint folder' });
  if (fs.existsSync(path.join(abs, 'manifest.json'))) return abs;
  const dir = fs.existsSync(path.join(abs, 'checkpoints')) ? path.join(abs, 'checkpoints') : abs;
  const latest = path.join(dir, 'latest.json');
  if (fs.existsSync(latest)) {
    let name: unknown;
    try {
      name = (JSON.parse(readBounded(latest, 4096, 'latest.json').toString('utf8')) as { checkpoint?: unknown }).checkpoint;
    } catch (e) {
      if (e instanceof AttncError) throw e;
      bad(latest, 'is not valid JSON');
    }
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name) || name.startsWith('.')) bad(latest, 'does not name a checkpoint folder');
    const target = path.join(dir, name);
    if (fs.existsSync(path.join(target, 'manifest.json'))) return target;
  }
  const complete = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((e) => !e.startsWith('.') && fs.existsSync(path.join(dir, e, 'manifest.json')))
        .map((e) => ({ e, t: fs.statSync(path.join(dir, e, 'manifest.json')).mtimeMs }))
        .sort((a, b) => b.t - a.t)
    : [];
  if (complete.length === 0) throw new AttncError('ATTNC_CHECKPOINT', `${p}: holds no checkpoint`, { path: p, hint: 'a run writes its first checkpoint at the end of its first snapshot interval or when it stops' });
  return path.join(dir, complete[0]!.e);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Reads and checks `manifest.json` of a checkpoint folder. */
export function readManifest(dir: string): CheckpointManifest {
  const file = path.join(dir, 'manifest.json');
  let m: unknown;
  try {
    m = JSON.parse(readBounded(file, MAX_MANIFEST_BYTES, 'manifest.json').toString('utf8'));
  } catch (e) {
    if (e instanceof AttncError) throw e;
    bad(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(m) || m.format !== CHECKPOINT_FORMAT) bad(file, 'is not an attnc checkpoint manifest');
  if (m.version !== CHECKPOINT_VERSION) bad(file, `has format version ${String(m.version)}; this attnc reads version ${CHECKPOINT_VERSION}`, 'use the attnc version that wrote it');
  const spec = m.spec;
  if (!isObj(spec) || typeof spec.name !== 'string' || typeof spec.sha256 !== 'string' || typeof spec.file !== 'string') bad(file, '`spec` must hold name, sha256 and file');
  if (typeof m.phase !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(m.phase)) bad(file, '`phase` must be a phase name such as damsm, gan or import');
  const pr = m.progress;
  if (!isObj(pr) || ![pr.epoch, pr.batch, pr.step].every((x) => Number.isSafeInteger(x) && (x as number) >= 0) || typeof pr.damsmComplete !== 'boolean') bad(file, '`progress` must hold epoch, batch, step (non-negative integers) and damsmComplete');
  if (pr.done !== undefined && !(Array.isArray(pr.done) && pr.done.every((p) => typeof p === 'string' && /^[a-z][a-z0-9_-]*$/.test(p)))) bad(file, '`progress.done` must list phase names');
  if (!Number.isSafeInteger(m.seed)) bad(file, '`seed` must be an integer');
  if (!isObj(m.networks) || !Object.values(m.networks).every((n) => isObj(n) && typeof n.network === 'string' && (n.weights === 'live' || n.weights === 'ema') && (n.epoch === undefined || (Number.isSafeInteger(n.epoch) && (n.epoch as number) >= 0)))) bad(file, '`networks` must map files to { network, weights: live|ema[, epoch] }');
  const okScale = (x: unknown) => x === undefined || (isObj(x) && isNum(x.exp_avg) && x.exp_avg > 0 && isNum(x.exp_avg_sq) && x.exp_avg_sq > 0);
  const okPowers = (x: unknown) => x === undefined || (Array.isArray(x) && x.length === 2 && x.every(isNum));
  if (!Array.isArray(m.optimizers) || !m.optimizers.every((o) => isObj(o) && typeof o.id === 'string' && Number.isSafeInteger(o.iterations) && isNum(o.lr) && Array.isArray(o.params) && o.params.every((x) => typeof x === 'string') && okScale(o.scale) && okPowers(o.betaPowers))) bad(file, '`optimizers` is malformed');
  if (!isObj(m.metrics) || !Object.values(m.metrics).every(isNum)) bad(file, '`metrics` must map names to numbers');
  if (!isObj(m.options) || !Object.values(m.options).every((x) => typeof x === 'string')) bad(file, '`options` must map names to strings');
  if (!isObj(m.files) || !Object.entries(m.files).every(([k, f]) => /^[\w.-]+$/.test(k) && !k.startsWith('.') && isObj(f) && Number.isSafeInteger(f.bytes) && typeof f.sha256 === 'string')) bad(file, '`files` is malformed');
  for (const f of Object.keys(m.networks as object)) if (!(f in (m.files as object))) bad(file, `network file ${f} is not listed in \`files\``);
  if (m.generated !== null && typeof m.generated !== 'string') bad(file, '`generated` must be a path or null');
  return m as unknown as CheckpointManifest;
}

function readListed(dir: string, manifest: CheckpointManifest, file: string, limit: number): Buffer {
  const entry = manifest.files[file];
  const full = path.join(dir, file);
  if (!entry) bad(full, 'is not part of this checkpoint (not in manifest.json)');
  const bytes = readBounded(full, Math.min(limit, entry.bytes), file);
  if (bytes.length !== entry.bytes) bad(full, `has ${bytes.length} bytes, the manifest says ${entry.bytes}`);
  if (sha256(bytes) !== entry.sha256) bad(full, 'does not match its sha256 in manifest.json (corrupt or replaced)');
  return bytes;
}

/** A checkpoint's safetensors file as PyTorch-layout tensors, size and checksum verified. */
export function readCheckpointTensors(dir: string, manifest: CheckpointManifest, file: string): TorchState {
  return safetensorsState(readListed(dir, manifest, file, Number.MAX_SAFE_INTEGER), path.join(dir, file));
}

export function readCheckpointJson(dir: string, manifest: CheckpointManifest, file: string): unknown {
  const bytes = readListed(dir, manifest, file, MAX_JSON_BYTES);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    bad(path.join(dir, file), `is not valid JSON (${(e as Error).message})`);
  }
}

/** Keeps the newest `keep` checkpoints of a phase (by step), never `best*` or what latest.json names. */
export function pruneCheckpoints(checkpointsDir: string, prefix: string, keep: number): string[] {
  const names = fs
    .readdirSync(checkpointsDir)
    .filter((e) => e.startsWith(`${prefix}-`) && /^[\w.-]+$/.test(e) && fs.existsSync(path.join(checkpointsDir, e, 'manifest.json')))
    .sort();
  const removed = names.slice(0, Math.max(0, names.length - keep));
  for (const n of removed) fs.rmSync(path.join(checkpointsDir, n), { recursive: true, force: true });
  return removed;
}
