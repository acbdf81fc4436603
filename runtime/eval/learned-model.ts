/**
 * Small tfjs networks that `attnc eval` learns once on the synthetic birds (the attribute
 * classifier, the part segmenter) and then reuses: shipped weights for the built-in dataset's
 * standard configuration (runtime/eval/weights/, float16 safetensors with the recipe in their
 * metadata), else a per-machine cache, else training. The recipe key (a hash of everything that
 * shapes the weights) names both files, so a changed recipe never reads stale weights.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { AttncError } from '../util/errors.js';

/** What every learned model records beside its weights. */
export interface LearnedMeta {
  format: string;
  version: number;
  key: string;
}

/** How to recognise one kind of learned model's files. */
export interface LearnedKind {
  /** File and folder name prefix, e.g. `attribute-classifier`. */
  name: string;
  /** In messages: "attribute classifier". */
  label: string;
  /** The `format` field of its metadata. */
  format: string;
  /** Bumped when the architecture or the recipe changes: old files are then refused. */
  version: number;
}

/** 16 hex digits of the recipe's sha256. */
export function recipeKey(recipe: unknown): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

/** Shipped weights live in the npm package beside this file. */
export const SHIPPED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'weights');

export function shippedWeightsFile(kind: LearnedKind, key: string): string {
  return path.join(SHIPPED_DIR, `${kind.name}-${key}.safetensors`);
}

export function cacheRoot(): string {
  if (process.env.ATTNC_CACHE_DIR) return process.env.ATTNC_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length > 0 ? xdg : path.join(os.homedir(), '.cache'), 'attnc');
}

export function cacheDirOf(kind: LearnedKind, key: string, cacheDir?: string): string {
  return path.join(cacheDir ?? path.join(cacheRoot(), 'eval'), `${kind.name}-${key}`);
}

function checkMeta<M extends LearnedMeta>(meta: M, kind: LearnedKind, key: string): boolean {
  return meta.format === kind.format && meta.key === key && meta.version === kind.version;
}

/** A float16 safetensors file of the weights, the metadata JSON under `meta` (what ships). */
export function encodeShippedWeights(model: tf.LayersModel, meta: LearnedMeta, provenance: string): Uint8Array {
  const entries = model.getWeights().map((w, i) => [`w${String(i).padStart(2, '0')}`, { shape: w.shape, data: w.dataSync() as Float32Array }] as const);
  return encodeSafetensors(entries, { format: meta.format, meta: JSON.stringify(meta), provenance }, { dtype: 'F16' });
}

/** Loads shipped weights into a freshly built network; refuses a file of another recipe. */
export function readShippedWeights<M extends LearnedMeta>(file: string, kind: LearnedKind, key: string, build: () => tf.LayersModel): { model: tf.LayersModel; meta: M } {
  const bad = (why: string) => new AttncError('ATTNC_EVAL_CACHE', `${file}: shipped ${kind.label} is unusable (${why})`, { path: file, hint: 'reinstall attnc, or delete the file to train one instead' });
  const st = decodeSafetensors(fs.readFileSync(file), file);
  let meta: M;
  try {
    meta = JSON.parse(st.metadata.meta ?? '') as M;
  } catch {
    throw bad('its metadata holds no recipe');
  }
  if (!checkMeta(meta, kind, key)) throw bad('its recipe is not this one');
  const model = build();
  const shapes = model.getWeights().map((w) => w.shape);
  const tensors: tf.Tensor[] = [];
  try {
    if (st.tensors.size !== shapes.length) throw bad(`${st.tensors.size} weights, the network has ${shapes.length}`);
    shapes.forEach((sh, i) => {
      const t = st.tensors.get(`w${String(i).padStart(2, '0')}`);
      if (!t || t.shape.length !== sh.length || t.shape.some((d, j) => d !== sh[j])) throw bad(`weight ${i} is missing or not of shape [${sh.join(', ')}]`);
      tensors.push(tf.tensor(t.data as Float32Array, sh));
    });
    model.setWeights(tensors);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose(tensors);
  }
  return { model, meta };
}

/** `weights.bin` (float32, in weight order) and `meta.json`, each written then renamed: a concurrent reader never sees half a file. */
export function writeCachedWeights(dir: string, model: tf.LayersModel, meta: LearnedMeta): void {
  fs.mkdirSync(dir, { recursive: true });
  const weights = model.getWeights();
  const buf = new Float32Array(weights.reduce((s, w) => s + w.size, 0));
  let o = 0;
  for (const w of weights) {
    buf.set(w.dataSync() as Float32Array, o);
    o += w.size;
  }
  const tmp = `${dir}/weights.bin.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(buf.buffer));
  fs.renameSync(tmp, path.join(dir, 'weights.bin'));
  fs.writeFileSync(`${dir}/meta.json.${process.pid}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  fs.renameSync(`${dir}/meta.json.${process.pid}.tmp`, path.join(dir, 'meta.json'));
}

/** The cached network of this recipe, or undefined when there is none yet. */
export function readCachedWeights<M extends LearnedMeta>(dir: string, kind: LearnedKind, key: string, build: () => tf.LayersModel): { model: tf.LayersModel; meta: M } | undefined {
  const metaFile = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaFile) || !fs.existsSync(path.join(dir, 'weights.bin'))) return undefined;
  const bad = (why: string) => new AttncError('ATTNC_EVAL_CACHE', `${dir}: cached ${kind.label} is unusable (${why})`, { path: dir, hint: 'delete that folder; it is retrained on the next run' });
  let meta: M;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as M;
  } catch {
    throw bad('meta.json is not JSON');
  }
  if (!checkMeta(meta, kind, key)) throw bad('meta.json does not match this recipe');
  const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
  const model = build();
  const shapes = model.getWeights().map((w) => w.shape);
  const total = shapes.reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== total * 4) {
    model.dispose();
    throw bad(`weights.bin has ${bytes.byteLength} bytes, expected ${total * 4}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let o = 0;
  const tensors = shapes.map((sh) => {
    const n = sh.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.subarray(o, o + n), sh);
    o += n;
    return t;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  return { model, meta };
}

/** 95 s → "1m35s", 4 s → "4s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
