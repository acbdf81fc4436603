import type { Module } from '../nn/module.js';
import { importState, stateError, torchShape, type LoadReport, type TorchState } from '../nn/state.js';
import { readPthFile, type PthFile } from './pth.js';
import { pthToState } from './pth-state.js';

/**
 * A PyTorch `.pth` state_dict loaded into an attnc network by layer kind (`importState`), with the
 * checks `attnc import` and spec `weights:` need. Strict by default: missing, unexpected and
 * shape-mismatched keys are all listed (names and both shapes) and nothing is loaded.
 */
export interface PthLoadOptions {
  /** Allow keys of the network that the file lacks (warm starts); they keep their current values. */
  partial?: boolean;
  /** Keys of the file that are dropped silently (e.g. torchvision Inception's `AuxLogits.*`, `fc.*`). */
  dropUnexpected?: RegExp;
  /** Keys of the network the file may lack even when strict (e.g. the CNN_ENCODER heads when loading the ImageNet trunk). */
  allowMissing?: RegExp;
}

export interface PthLoadReport extends LoadReport {
  file: string;
  format: 'zip' | 'legacy';
  /** The file's keys carried DataParallel's `module.` prefix, which was removed. */
  strippedPrefix: boolean;
  /** Keys dropped by `dropUnexpected`. */
  dropped: string[];
  /** Missing keys that `partial` or `allowMissing` let through. */
  allowedMissing: Array<{ name: string; shape: number[] }>;
}

/** `source` is a file path, or a file already read with `readPthFile`. */
export function loadPth(module: Module, source: string | PthFile, options: PthLoadOptions = {}): PthLoadReport {
  const pth = typeof source === 'string' ? readPthFile(source) : source;
  const file = pth.file;
  const { state: raw, strippedPrefix } = pthToState(pth);
  const state: TorchState = new Map();
  const dropped: string[] = [];
  for (const [k, t] of raw) {
    if (options.dropUnexpected?.test(k)) dropped.push(k);
    else state.set(k, t);
  }
  // Decide before assigning anything: a refused load leaves the network as it was.
  const slots = module.slotInfos();
  const missing = slots.filter((s) => !state.has(s.name)).map((s) => ({ name: s.name, shape: torchShape(s.shape, s.layout) }));
  const allowed = missing.filter((m) => options.partial || options.allowMissing?.test(m.name));
  const dry = importStateCheck(module, state);
  const hardMissing = missing.filter((m) => !allowed.includes(m));
  if (hardMissing.length + dry.unexpected.length + dry.mismatched.length > 0) {
    throw stateError({ missing: hardMissing, unexpected: dry.unexpected, mismatched: dry.mismatched }, file);
  }
  const report = importState(module, state, { strict: false, source: file });
  return { ...report, file, format: pth.format, strippedPrefix, dropped, allowedMissing: allowed };
}

/** The unexpected and mismatched keys of a state against a network, without loading. */
function importStateCheck(module: Module, state: TorchState): Pick<LoadReport, 'unexpected' | 'mismatched'> {
  const bySlot = new Map(module.slotInfos().map((s) => [s.name, torchShape(s.shape, s.layout)]));
  const unexpected: LoadReport['unexpected'] = [];
  const mismatched: LoadReport['mismatched'] = [];
  for (const [name, t] of state) {
    if (/(^|\.)num_batches_tracked$/.test(name)) continue;
    const expected = bySlot.get(name);
    if (!expected) unexpected.push({ name, shape: t.shape });
    else if (expected.length !== t.shape.length || expected.some((d, i) => d !== t.shape[i])) mismatched.push({ name, expected, found: t.shape });
  }
  return { unexpected, mismatched };
}
