/**
 * Named weight state in PyTorch's layout: the one place that train (checkpoints), sample, import
 * and export go through. Names are the original's state_dict keys; each tensor's layout comes from
 * the layer that owns it (`TorchLayout`), never from its rank.
 */
import * as tf from '@tensorflow/tfjs';
import { AttncError } from '../util/errors.js';
import type { Module, SlotInfo, TorchLayout } from './module.js';

/** A tensor in PyTorch layout. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** An ordered state dict: `state_dict()` order when exported. */
export type TorchState = Map<string, TorchTensor>;

/** TF shape → PyTorch shape for a layout. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  return [...shape];
}

const TO_TORCH: Record<Exclude<TorchLayout, 'identity'>, number[]> = { conv: [3, 2, 0, 1], linear: [1, 0] };
const FROM_TORCH: Record<Exclude<TorchLayout, 'identity'>, number[]> = { conv: [2, 3, 1, 0], linear: [1, 0] };

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

/** Variables by state_dict name, for callers that hold other tensors of the same shapes (EMA averages, optimizer moments). */
export function exportTensors(slots: ReadonlyArray<Pick<SlotInfo, 'name' | 'layout'> & { tensor: tf.Tensor }>): TorchState {
  const out: TorchState = new Map();
  for (const s of slots) out.set(s.name, toTorchLayout(s.tensor, s.layout));
  return out;
}

export interface StateMismatch {
  name: string;
  expected: number[];
  found: number[];
}

export interface LoadReport {
  loaded: string[];
  /** In the module, not in the state. */
  missing: Array<{ name: string; shape: number[] }>;
  /** In the state, not in the module. */
  unexpected: Array<{ name: string; shape: number[] }>;
  /** Same name, other shape (PyTorch layout on both sides). */
  mismatched: StateMismatch[];
  /** Accepted and not loaded (`num_batches_tracked`). */
  ignored: string[];
}

export interface LoadOptions {
  /** Missing, unexpected or mismatched names are an error (default true). `false` loads what matches and reports the rest. */
  strict?: boolean;
  /** Names the source in errors (a file or checkpoint). */
  source?: string;
  /** Load only parameters (e.g. EMA weights onto a module whose buffers come from elsewhere). */
  only?: 'param' | 'buffer';
}

/** PyTorch keeps a step counter per BatchNorm that AttnGAN never reads. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/**
 * Loads a PyTorch-layout state into `module`'s variables. Nothing is assigned unless the whole state
 * passes the strict check, so a failed load leaves the module as it was.
 */
export function importState(module: Module, state: TorchState, options: LoadOptions = {}): LoadReport {
  const strict = options.strict ?? true;
  const slots = module.slotInfos().filter((s) => !options.only || s.kind === options.only);
  const report: LoadReport = { loaded: [], missing: [], unexpected: [], mismatched: [], ignored: [] };
  const known = new Set(module.slotInfos().map((s) => s.name));
  for (const [name, t] of state) {
    if (IGNORED.test(name)) report.ignored.push(name);
    else if (!known.has(name)) report.unexpected.push({ name, shape: t.shape });
  }
  const toLoad: Array<[SlotInfo, TorchTensor]> = [];
  for (const s of slots) {
    const t = state.get(s.name);
    const expected = torchShape(s.shape, s.layout);
    if (!t) report.missing.push({ name: s.name, shape: expected });
    else if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) report.mismatched.push({ name: s.name, expected, found: t.shape });
    else toLoad.push([s, t]);
  }
  const problems = report.missing.length + report.unexpected.length + report.mismatched.length;
  if (strict && problems > 0) throw stateError(report, options.source ?? 'weights');
  if (report.mismatched.length > 0) throw stateError({ ...report, missing: [], unexpected: [] }, options.source ?? 'weights');
  for (const [s, t] of toLoad) {
    tf.tidy(() => s.variable.assign(fromTorchLayout(t, s.layout)));
    report.loaded.push(s.name);
  }
  return report;
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
