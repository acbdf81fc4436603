import * as os from 'node:os';
import { AttncError } from '../util/errors.js';

/** `--threads <n>` / ATTNC_THREADS: a positive whole number of threads, or nothing (TensorFlow's default). */
export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new AttncError('ATTNC_USAGE_BACKEND', `--threads "${value}" is not a positive whole number`, { hint: 'e.g. --threads 1 (small models such as the demo\'s DAMSM phase run faster on one thread)' });
  }
  return n;
}

/**
 * Sizes TensorFlow's two thread pools (ops run in parallel, and threads inside one op) through the
 * variables it reads when it creates its context, so this must run before the native library loads.
 * Small models can step faster on one thread: their ops are too small to share out, and a second
 * thread adds hand-offs (docs/tuning.md, eighth round: the demo's DAMSM phase 16–19 % faster with
 * one thread on 2 cores, its GAN phase the same).
 */
export function applyThreads(n: number | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (n === undefined) return;
  env.TF_NUM_INTRAOP_THREADS = String(n);
  env.TF_NUM_INTEROP_THREADS = String(n);
}

/** The threads TensorFlow's ops may use: what was asked for, else all the cores it sees. */
export function threadCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(asked) && asked > 0 ? asked : os.availableParallelism();
}
