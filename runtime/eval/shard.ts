import { AttncError } from '../util/errors.js';

/** One of n deterministic parts of a caption set: item g belongs to shard g mod n (0-based k). */
export interface Shard {
  k: number;
  n: number;
}

export const WHOLE: Shard = { k: 0, n: 1 };

/**
 * `--shard k/n`, k in 0..n−1 (0-based, so `JOB_COMPLETION_INDEX` and 0-based `SLURM_ARRAY_TASK_ID`
 * map to k unchanged).
 */
export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1 || n > 100000 || k >= n) {
    throw new AttncError('ATTNC_USAGE_OPTION', `--shard must be k/n with 0 ≤ k < n, got "${raw}"`, {
      hint: 'shards are numbered from 0: --shard 0/4 … --shard 3/4 (e.g. --shard $JOB_COMPLETION_INDEX/4)',
    });
  }
  return { k, n };
}

export function inShard(g: number, s: Shard): boolean {
  return g % s.n === s.k;
}

/** The global indices 0..total−1 that belong to shard s, ascending. */
export function shardIndices(total: number, s: Shard): number[] {
  const out: number[] = [];
  for (let g = s.k; g < total; g += s.n) out.push(g);
  return out;
}
