/**
 * Named weight state in PyTorch's layout: the one place that train (checkpoints), sample, import
 * and export go through. Names are the original's state_dict keys; each tensor's layout comes from
 * the layer that owns it (`TorchLayout`), never from its rank.
 */
import * as tf from '@tensorflow/tfjs';
import { AttncError } from '../util/errors.js';
import type { TorchState, TorchTensor } from '../io/torch-state.js';
import type { Module, TorchLayout } from './module.js';

export type { TorchState, TorchTensor } from '../io/torch-state.js';

/** TF shape → PyTorch shape for a layout. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (layout === 'conv1d') return [shape[2]!, shape[1]!, shape[0]!];
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  return [...shape];
}

const TO_TORCH: Record<Exclude<TorchLayout, 'identity'>, number[]> = { conv: [3, 2, 0, 1], conv1d: [2, 1, 0], linear: [1, 0] };
const FROM_TORCH: Record<Exclude<TorchLayout, 'identity'>, number[]> = { conv: [2, 3, 1, 0], conv1d: [2, 1, 0], linear: [1, 0] };

/** Values of a TF-layout tensor rearranged into PyTorch layout. */
export function toTorchLayout(t: tf.Tensor, layout: TorchLayout): TorchTensor {
  const out = layout === 'identity' ? t : tf.transpose(t, TO_TORCH[layout]);
  try {
    return { shape: [...out.shape], data: Float32Array.from(out.dataSync() as Float32Array) };
  } finally {
    if (out !== t) out.dispose();
  }
}

/** A PyTorch-layout tensor as a TF-layout tensor (the caller owns it). */
export function fromTorchLayout(t: TorchTensor, layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor(t.data, t.shape, 'float32');
    return layout === 'identity' ? x : tf.transpose(x, FROM_TORCH[layout]);
  });
}

/** Every parameter and buffer of `module` in PyTorch layout, state_dict order, names prefixed with `prefix`. */
export function exportState(module: Module, prefix = ''): TorchState {
  const out: TorchState = new Map();
  for (const s of module.slotInfos()) out.set(prefix + s.name, toTorchLayout(s.variable, s.layout));
  return out;
}

/** One named tensor of a weights source: shape known, values decoded on `read()` (one at a time). */
export interface WeightEntry {
  name: string;
  /** PyTorch layout. */
  shape: number[];
  read(): Float32Array | Int32Array;
}

/** Weights from one file, folder or memory, as `assignState` takes them. */
export interface WeightsSource {
  /** Names the source in messages (a file, a checkpoint file, or "weights"). */
  file: string;
  entries: readonly WeightEntry[];
}

/** A state dict held in memory as a weights source. */
export function stateSource(state: TorchState, file = 'weights'): WeightsSource {
  return { file, entries: [...state].map(([name, t]) => ({ name, shape: t.shape, read: () => t.data })) };
}

export interface StateMismatch {
  name: string;
  expected: number[];
  found: number[];
}

export interface LoadReport {
  loaded: string[];
  /** In the module, not in the source (reported only when allowed). */
  missing: Array<{ name: string; shape: number[] }>;
  /** In the source, not in the module (reported only when allowed). */
  unexpected: Array<{ name: string; shape: number[] }>;
  /** Same name, other shape (PyTorch layout on both sides); always refused. */
  mismatched: StateMismatch[];
  /** Accepted and not loaded (`num_batches_tracked`). */
  ignored: string[];
  /** The source's keys carried DataParallel's `module.` prefix, which was removed. */
  strippedPrefix: boolean;
  /** Keys dropped by `dropUnexpected`. */
  dropped: string[];
  /** Missing keys that `partial`, `allowMissing` or `strict: false` let through. */
  allowedMissing: Array<{ name: string; shape: number[] }>;
}

/** How a load treats names that do not match: one options object for every weights format. */
export interface LoadOptions {
  /**
   * Missing and unexpected names are an error (default true); `false` loads what matches and
   * reports the rest. Shape mismatches are always an error.
   */
  strict?: boolean;
  /** Allow keys of the network that the source lacks (warm starts); they keep their current values. */
  partial?: boolean;
  /** Keys of the network the source may lack even when strict (e.g. the image encoder's heads when loading the ImageNet trunk). */
  allowMissing?: RegExp;
  /** Keys of the source that are dropped silently (e.g. torchvision Inception's `AuxLogits.*`, `fc.*`). */
  dropUnexpected?: RegExp;
  /** Load only parameters (e.g. EMA weights onto a module whose buffers come from elsewhere), or only buffers. */
  only?: 'param' | 'buffer';
  /** Names the source in errors (default: the source's own name). */
  source?: string;
}

/** PyTorch keeps a step counter per BatchNorm that AttnGAN never reads. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/** What `assignState` would load, and every problem found, by names and shapes only. */
export interface LoadPlan extends LoadReport {
  /** The source's entries by the network's names (prefix stripped, ignored and dropped keys out). */
  entries: Map<string, WeightEntry>;
}

/**
 * Checks a source against a network by names and shapes only, decoding nothing (works on a network
 * built with `Module.shapeOnly`). Throws the listing error (names and both shapes) unless every
 * problem is allowed by `options`.
 */
export function checkState(module: Module, source: WeightsSource, options: LoadOptions = {}): LoadPlan {
  const strict = options.strict ?? true;
  const label = options.source ?? source.file;
  const strippedPrefix = source.entries.length > 0 && source.entries.every((e) => e.name.startsWith('module.'));
  const entries = new Map<string, WeightEntry>();
  const dropped: string[] = [];
  const ignored: string[] = [];
  for (const e of source.entries) {
    const name = strippedPrefix ? e.name.slice('module.'.length) : e.name;
    if (IGNORED.test(name)) ignored.push(name);
    else if (options.dropUnexpected?.test(name)) dropped.push(name);
    else entries.set(name, e);
  }
  const all = module.namedSlotLayouts();
  const known = new Set(all.map((s) => s.name));
  const slots = options.only ? all.filter((s) => s.kind === options.only) : all;
  const unexpected = [...entries].filter(([n]) => !known.has(n)).map(([name, e]) => ({ name, shape: e.shape }));
  const missing: LoadReport['missing'] = [];
  const mismatched: StateMismatch[] = [];
  for (const s of slots) {
    const e = entries.get(s.name);
    const expected = torchShape(s.shape, s.layout);
    if (!e) missing.push({ name: s.name, shape: expected });
    else if (e.shape.length !== expected.length || e.shape.some((d, i) => d !== expected[i])) mismatched.push({ name: s.name, expected, found: e.shape });
  }
  const allowedMissing = missing.filter((m) => !strict || options.partial || options.allowMissing?.test(m.name));
  const hardMissing = missing.filter((m) => !allowedMissing.includes(m));
  const hardUnexpected = strict ? unexpected : [];
  if (hardMissing.length + hardUnexpected.length + mismatched.length > 0) throw stateError({ missing: hardMissing, unexpected: hardUnexpected, mismatched }, label);
  return { entries, loaded: [], missing, unexpected, mismatched, ignored, strippedPrefix, dropped, allowedMissing };
}

/**
 * Loads a source into `module`'s variables: checked whole first (`checkState`), so a refused load
 * leaves the module as it was; then one tensor at a time, so the peak memory is the source plus one
 * tensor rather than the source plus the whole network. Each tensor's layout comes from the layer
 * that owns it, never from its rank.
 */
export function assignState(module: Module, source: WeightsSource, options: LoadOptions = {}): LoadReport {
  const { entries, ...plan } = checkState(module, source, options);
  const loaded: string[] = [];
  for (const s of module.slotInfos()) {
    if (options.only && s.kind !== options.only) continue;
    const e = entries.get(s.name);
    if (!e) continue;
    const raw = e.read();
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    tf.tidy(() => s.variable.assign(fromTorchLayout({ shape: e.shape, data }, s.layout)));
    loaded.push(s.name);
  }
  return { ...plan, loaded };
}

/** Loads a PyTorch-layout state held in memory (strict unless `options` say otherwise). */
export function importState(module: Module, state: TorchState, options: LoadOptions = {}): LoadReport {
  return assignState(module, stateSource(state, options.source ?? 'weights'), options);
}

/** Lists every problem of a load, names and shapes on both sides. */
export function stateError(r: Pick<LoadReport, 'missing' | 'unexpected' | 'mismatched'>, source: string): AttncError {
  const fmt = (s: number[]) => `[${s.join(', ')}]`;
  const lines: string[] = [];
  const cap = <T>(xs: T[], f: (x: T) => string) => [...xs.slice(0, 20).map(f), ...(xs.length > 20 ? [`  … and ${xs.length - 20} more`] : [])];
  if (r.mismatched.length) lines.push(`shape mismatches (${r.mismatched.length}):`, ...cap(r.mismatched, (m) => `  ${m.name}: the model has ${fmt(m.expected)}, ${source} has ${fmt(m.found)}`));
  if (r.missing.length) lines.push(`missing from ${source} (${r.missing.length}):`, ...cap(r.missing, (m) => `  ${m.name} ${fmt(m.shape)}`));
  if (r.unexpected.length) lines.push(`not in the model (${r.unexpected.length}):`, ...cap(r.unexpected, (m) => `  ${m.name} ${fmt(m.shape)}`));
  return new AttncError('ATTNC_WEIGHTS_MISMATCH', `${source} does not fit the model:\n${lines.join('\n')}`, {
    path: source,
    hint: 'the weights were made for another spec or network; `attnc diff` shows what differs between two specs',
  });
}
