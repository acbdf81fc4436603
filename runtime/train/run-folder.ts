/** The run folder: created (or reopened for --resume) and checked before any training starts. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { AttncError } from '../util/errors.js';

export interface RunFolder {
  dir: string;
  checkpoints: string;
  samples: string;
  tensorboard: string;
  metrics: string;
}

export function runFolderLayout(dir: string): RunFolder {
  return { dir, checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), tensorboard: path.join(dir, 'tensorboard'), metrics: path.join(dir, 'metrics.jsonl') };
}

/** `runs/<name>-<n>` with the next free n. */
export function nextRunDir(root: string, name: string): string {
  let n = 1;
  if (fs.existsSync(root)) {
    for (const e of fs.readdirSync(root)) {
      const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(e);
      if (m) n = Math.max(n, Number(m[1]) + 1);
    }
  }
  return path.join(root, `${name}-${n}`);
}

/**
 * Creates the folder tree and proves it is writable with room to spare, so a run never trains for
 * an hour and then fails to save. `needBytes` is an estimate of one checkpoint.
 */
export function prepareRunFolder(dir: string, needBytes: number): RunFolder {
  const f = runFolderLayout(dir);
  try {
    for (const d of [f.dir, f.checkpoints, f.samples, f.tensorboard]) fs.mkdirSync(d, { recursive: true });
    const probe = path.join(f.dir, `.write-probe-${process.pid}`);
    writeFileAtomic(probe, 'ok');
    fs.rmSync(probe);
  } catch (e) {
    throw new AttncError('ATTNC_IO_RUN_FOLDER', `${dir}: the run folder cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      path: dir,
      cause: e,
      hint: 'choose another folder with --out, or fix its permissions',
    });
  }
  let free = Number.POSITIVE_INFINITY;
  try {
    const st = fs.statfsSync(f.dir);
    free = st.bavail * st.bsize;
  } catch {
    // statfs is missing on some platforms: no check then.
  }
  // Room for a checkpoint being written beside the last ones kept, plus samples and logs.
  const need = 3 * needBytes + 16 * 1024 * 1024;
  if (free < need) {
    throw new AttncError('ATTNC_IO_DISK_FULL', `${dir}: ${(free / 2 ** 20).toFixed(0)} MiB free, a checkpoint of this model needs about ${(needBytes / 2 ** 20).toFixed(0)} MiB (${(need / 2 ** 20).toFixed(0)} MiB with room to rotate)`, {
      path: dir,
      hint: 'free some disk space or choose another folder with --out',
    });
  }
  return f;
}
