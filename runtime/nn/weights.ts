/**
 * The one weight-state module for files (as tinygrad's nn/state.py): a `.safetensors` file, the
 * original's PyTorch `.pth` (either container, read by runtime/io/pth.ts without running anything),
 * or a network's file in an attnc checkpoint folder — opened by one function, loaded into a network
 * by one function with one options object (`LoadOptions`, nn/state.ts). Node-only (it reads
 * files); the in-memory half, which the inference path uses, is nn/state.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCheckpointTensors, readManifest } from '../io/checkpoint.js';
import { openPthFile, type PthArchive } from '../io/pth.js';
import { safetensorsState } from '../io/safetensors.js';
import { AttncError } from '../util/errors.js';
import type { Module } from './module.js';
import { assignState, checkState, stateSource, type LoadOptions, type LoadPlan, type LoadReport, type WeightsSource } from './state.js';

/** `zip` and `legacy` are the two `.pth` containers (PyTorch ≥ 1.6, and older or `_use_new_zipfile_serialization=False`). */
export type WeightsFormat = 'safetensors' | 'checkpoint' | 'zip' | 'legacy';

export interface OpenedWeights extends WeightsSource {
  format: WeightsFormat;
}

export interface OpenWeightsOptions {
  /** In a checkpoint folder: the network's file, e.g. `netG.safetensors` (required there). */
  checkpointFile?: string;
}

/** A `.pth` already opened with `openPthFile` as a weights source (tensors decoded one at a time). */
export function pthSource(archive: PthArchive): OpenedWeights {
  return { file: archive.file, format: archive.format, entries: archive.entries };
}

/** Opens weights by what `where` is: a checkpoint folder, a `.safetensors` file or a `.pth`/`.pt` file. */
export function openWeights(where: string, options: OpenWeightsOptions = {}): OpenedWeights {
  if (fs.existsSync(path.join(where, 'manifest.json'))) {
    const file = options.checkpointFile;
    if (!file) throw new AttncError('ATTNC_WEIGHTS_FORMAT', `${where} is a checkpoint folder; say which network's file to load`, { path: where });
    const manifest = readManifest(where);
    return { ...stateSource(readCheckpointTensors(where, manifest, file), path.join(where, file)), format: 'checkpoint' };
  }
  if (where.endsWith('.safetensors')) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(where);
    } catch (e) {
      throw new AttncError('ATTNC_IO_READ', `${where}: cannot read the weights file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: where, cause: e });
    }
    return { ...stateSource(safetensorsState(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), where), where), format: 'safetensors' };
  }
  if (/\.(pth|pt)$/i.test(where)) return pthSource(openPthFile(where));
  throw new AttncError('ATTNC_WEIGHTS_FORMAT', `${where}: weights must be a .pth, a .safetensors file or an attnc checkpoint folder`, {
    path: where,
    hint: "the original's .pth files can also be converted once with `attnc import`",
  });
}

export interface WeightsReport extends LoadReport {
  file: string;
  format: WeightsFormat;
}

/** Loads weights into `module` (see `assignState` for the checks); `from` is a path or an opened source. */
export function loadWeights(module: Module, from: string | OpenedWeights, options: LoadOptions & OpenWeightsOptions = {}): WeightsReport {
  const source = typeof from === 'string' ? openWeights(from, options) : from;
  return { ...assignState(module, source, options), file: source.file, format: source.format };
}

/** `.pth` by name: what `attnc import` and the parity tests call (the file or an opened archive). */
export function loadPth(module: Module, from: string | PthArchive, options: LoadOptions = {}): WeightsReport {
  return loadWeights(module, pthSource(typeof from === 'string' ? openPthFile(from) : from), options);
}

/** Names and shapes only: checks a `.pth` against a network without decoding any tensor. */
export function checkPth(module: Module, archive: PthArchive, options: LoadOptions = {}): LoadPlan {
  return checkState(module, pthSource(archive), options);
}

export type { LoadOptions, LoadPlan, LoadReport } from './state.js';
/** The report of a `.pth` load (kept by name for `attnc import`). */
export type PthLoadReport = WeightsReport;
/** The options of a `.pth` load: the one `LoadOptions`. */
export type PthLoadOptions = LoadOptions;
