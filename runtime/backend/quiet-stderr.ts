import * as fs from 'node:fs';

/**
 * Runs `load` with file descriptor 2 pointed at /dev/null, then points it back: how attnc hides
 * the lines libtensorflow writes straight to fd 2 while it loads ("WARNING: All log messages before
 * absl::InitializeLog() is called…", "oneDNN custom operations are on…", the CPU-feature notice).
 * They come from absl logging before anyone calls absl::InitializeLog, which no environment variable
 * reaches (TF_CPP_MIN_LOG_LEVEL filters only TensorFlow's own logger), and oneDNN stays on: only the
 * text is dropped, the numerics are those of a plain load. `ATTNC_DEBUG` keeps them.
 *
 * Node has no dup2, so fd 2 is moved with POSIX's lowest-free-descriptor rule: close 2, open → 2.
 * The original is kept as a reopening of /proc/self/fd/2 (the same terminal, pipe or file). A file
 * is reopened for appending, and so is stdout when it is the same file (`> log 2>&1`), so neither
 * writes over the other. `load` must be synchronous: nothing else may write to stderr meanwhile.
 * Where any step is not possible (not Linux, a socket, a closed descriptor) `load` runs as it is.
 */
export function withQuietStderr<T>(load: () => T): T {
  if (process.env.ATTNC_DEBUG || process.platform !== 'linux') return load();
  let saved: number;
  let flags: number;
  let stdoutToo: boolean;
  try {
    fs.fstatSync(0);
    const out = fs.fstatSync(1);
    const err = fs.fstatSync(2);
    flags = fs.constants.O_WRONLY | (err.isFile() ? fs.constants.O_APPEND : 0);
    stdoutToo = err.isFile() && out.dev === err.dev && out.ino === err.ino;
    saved = fs.openSync('/proc/self/fd/2', flags);
  } catch {
    return load();
  }
  try {
    moveTo(2, () => fs.openSync('/dev/null', fs.constants.O_WRONLY));
    try {
      return load();
    } finally {
      moveTo(2, () => fs.openSync(`/proc/self/fd/${saved}`, flags));
      if (stdoutToo) moveTo(1, () => fs.openSync(`/proc/self/fd/${saved}`, flags));
    }
  } finally {
    fs.closeSync(saved);
  }
}

/**
 * Closes `fd` and opens a file that lands on it (the lowest free descriptor: 0..fd-1 are open). Only
 * another thread opening a file in between could take `fd` first; the new file is then closed
 * again, which loses that descriptor's output but nothing else.
 */
function moveTo(fd: number, open: () => number): void {
  fs.closeSync(fd);
  const got = open();
  if (got !== fd) fs.closeSync(got);
}
