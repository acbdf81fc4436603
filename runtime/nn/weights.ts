import * as tf from '@tensorflow/tfjs';
import type { Module } from './module.js';
import { fromTorchLayout, stateError, torchShape, type LoadReport } from './state.js';
import { openPthFile, type PthArchive, type PthEntry } from '../io/pth.js';

/**
 * A PyTorch `.pth` state_dict loaded into an attnc network by layer kind (the same mapping as
 * `importState`: each tensor's layout comes from the layer that owns it). Strict by default:
 * missing, unexpected and shape-mismatched keys are all listed (names and both shapes) and nothing
 * is loaded. Tensors are decoded and assigned one at a time, so the peak memory is the file plus
 * one tensor rather than the file plus the whole network.
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

/** PyTorch keeps a step counter per BatchNorm that AttnGAN never reads. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/** What `loadPth` would load: the file's entries by network key, and every problem found. */
export interface PthLoadPlan {
  entries: Map<string, PthEntry>;
  strippedPrefix: boolean;
  dropped: string[];
  ignored: string[];
  missing: LoadReport['missing'];
  allowedMissing: LoadReport['missing'];
  unexpected: LoadReport['unexpected'];
  mismatched: LoadReport['mismatched'];
}

/**
 * Names and shapes only: checks a file against a network without decoding any tensor (works on a
 * network built with `Module.shapeOnly`). Throws the listing error unless the load is allowed.
 */
export function checkPth(module: Module, pth: PthArchive, options: PthLoadOptions = {}): PthLoadPlan {
  const strippedPrefix = pth.entries.length > 0 && pth.entries.every((e) => e.name.startsWith('module.'));
  const entries = new Map<string, PthEntry>();
  const dropped: string[] = [];
  const ignored: string[] = [];
  for (const e of pth.entries) {
    const name = strippedPrefix ? e.name.slice('module.'.length) : e.name;
    if (IGNORED.test(name)) ignored.push(name);
    else if (options.dropUnexpected?.test(name)) dropped.push(name);
    else entries.set(name, e);
  }
  const slots = module.namedSlotLayouts();
  const known = new Set(slots.map((s) => s.name));
  const unexpected = [...entries].filter(([n]) => !known.has(n)).map(([name, e]) => ({ name, shape: e.shape }));
  const missing: LoadReport['missing'] = [];
  const mismatched: LoadReport['mismatched'] = [];
  for (const s of slots) {
    const e = entries.get(s.name);
    const expected = torchShape(s.shape, s.layout);
    if (!e) missing.push({ name: s.name, shape: expected });
    else if (e.shape.length !== expected.length || e.shape.some((d, i) => d !== expected[i])) mismatched.push({ name: s.name, expected, found: e.shape });
  }
  const allowedMissing = missing.filter((m) => options.partial || options.allowMissing?.test(m.name));
  const hardMissing = missing.filter((m) => !allowedMissing.includes(m));
  if (hardMissing.length + unexpected.length + mismatched.length > 0) {
    throw stateError({ missing: hardMissing, unexpected, mismatched }, pth.file);
  }
  return { entries, strippedPrefix, dropped, ignored, missing, allowedMissing, unexpected, mismatched };
}

/** `source` is a file path, or a file already opened with `openPthFile`. */
export function loadPth(module: Module, source: string | PthArchive, options: PthLoadOptions = {}): PthLoadReport {
  const pth = typeof source === 'string' ? openPthFile(source) : source;
  // Decide before assigning anything: a refused load leaves the network as it was.
  const plan = checkPth(module, pth, options);
  const loaded: string[] = [];
  for (const s of module.slotInfos()) {
    const e = plan.entries.get(s.name);
    if (!e) continue;
    const raw = e.read();
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    tf.tidy(() => s.variable.assign(fromTorchLayout({ shape: e.shape, data }, s.layout)));
    loaded.push(s.name);
  }
  const { missing, unexpected, mismatched, ignored, strippedPrefix, dropped, allowedMissing } = plan;
  return { loaded, missing, unexpected, mismatched, ignored, file: pth.file, format: pth.format, strippedPrefix, dropped, allowedMissing };
}
