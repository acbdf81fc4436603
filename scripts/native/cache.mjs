// What attnc's native-library setup scripts share: the cache folder, progress lines, and the error
// they throw (a message and a hint; the callers print both).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** libtensorflow's version in the pip wheels attnc provisions (CPU and GPU). */
export const TF_VERSION = '2.21.0';

export class SetupError extends Error {
  constructor(message, hint) {
    super(message);
    this.name = 'SetupError';
    this.hint = hint;
  }
}

export const log = (msg) => process.stderr.write(`[attnc setup] ${msg}\n`);

/** ATTNC_CACHE_DIR, else $XDG_CACHE_HOME/attnc, else ~/.cache/attnc (created). */
export function cacheRoot() {
  const base = process.env.ATTNC_CACHE_DIR
    || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'attnc');
  fs.mkdirSync(base, { recursive: true });
  return base;
}
