/**
 * Crash-safe writes: a file (or a whole folder) is written under a temporary name, flushed to disk
 * and renamed into place, so a reader sees the old version or the new one, never half of one — also
 * after SIGKILL or a power cut in the middle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function fsyncPath(p: string, flags: string): void {
  const fd = fs.openSync(p, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync a folder so that a rename inside it is durable (no-op where folders cannot be opened). */
export function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir, 'r');
  } catch {
    // Some platforms cannot open folders; the rename is still atomic there.
  }
}

/** Writes bytes to `file` and fsyncs them (the caller renames). */
export function writeDurable(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    while (bytes.length > 0) {
      const n = fs.writeSync(fd, bytes);
      bytes = bytes.subarray(n);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `file` atomically with `data`. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    writeDurable(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(path.dirname(file));
}
