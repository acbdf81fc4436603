import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { InferenceModel } from '../../runtime/model/contract.js';
import type { Shard } from '../../runtime/eval/shard.js';

// Runtime modules load inside the actions only (`attnc --help` must not load tfjs; test/cli/main.test.ts).
const errors = () => import('../../runtime/util/errors.js');

/**
 * What `attnc sample` / `attnc eval` run on: a run folder or checkpoint (trained weights; `generated`
 * overrides the model folder its manifest names), or a spec file (its generated model with initial
 * weights: the untrained baseline).
 */
export async function loadTarget(target: string, warn: (line: string) => void, seed = 0, generated?: string): Promise<InferenceModel> {
  const { AttncError } = await errors();
  if (isSpecTarget(target)) {
    if (!isShipped(target) && !fs.existsSync(target)) throw new AttncError('ATTNC_IO_READ', `${target}: no such spec file`, { path: target });
    // The spec's generated code where `attnc compile` put it (./generated/<name>, or --generated),
    // checked up to date: in the user's project, not in attnc's own folder.
    const { loadGeneratedForSpec } = await import('../generated-model.js');
    const { gen } = await loadGeneratedForSpec(target, generated);
    const { loadUntrained } = await import('../../runtime/model/load.js');
    warn(`${target} is a spec, not a checkpoint: sampling its untrained model (initial weights, seed ${seed})`);
    return loadUntrained(gen, target, seed);
  }
  const { loadCheckpointForInference } = await import('../../runtime/model/load.js');
  return loadCheckpointForInference(target, generated);
}

/** `attnc:<name>`: a shipped spec (compiler/resolve/extends.ts resolves it). */
const isShipped = (target: string) => target.startsWith('attnc:');

/** A spec file or a shipped spec rather than a run or checkpoint folder. */
export function isSpecTarget(target: string): boolean {
  return isShipped(target) || /\.ya?ml$/i.test(target);
}

/** The global --backend choice (env ATTNC_BACKEND), loaded before any tensor is made. */
export async function initCliBackend(cmd: Command): Promise<void> {
  const { initBackend, parseBackendChoice } = await import('../../runtime/backend/index.js');
  await initBackend(parseBackendChoice((cmd.optsWithGlobals() as { backend?: string }).backend));
}

/**
 * Where a command's output goes by default: `<run>/<what>` for a run folder, `<run>/<what>-<checkpoint>`
 * for one checkpoint of a run (never inside the checkpoint folder, which pruning deletes), and
 * `<what>/<name>` for a spec.
 */
export function defaultOutput(target: string, what: string, name: string): string {
  if (isSpecTarget(target)) return path.join(what, name);
  const abs = path.resolve(target);
  if (fs.existsSync(path.join(abs, 'manifest.json')) && path.basename(path.dirname(abs)) === 'checkpoints') {
    return path.join(path.dirname(path.dirname(abs)), `${what}-${path.basename(abs)}`);
  }
  return path.join(target, what);
}

export async function intOption(name: string, raw: string, min: number, max: number): Promise<number> {
  const { AttncError } = await errors();
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new AttncError('ATTNC_USAGE_OPTION', `${name} must be an integer in ${min}..${max}, got "${raw}"`, { hint: `for example ${name} ${min}` });
  }
  return v;
}

export async function shardOption(raw: string | undefined): Promise<Shard> {
  const { WHOLE, parseShard } = await import('../../runtime/eval/shard.js');
  return raw === undefined ? WHOLE : parseShard(raw);
}

export function warnLine(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}
