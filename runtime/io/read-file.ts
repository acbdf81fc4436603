import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import { AttncError, type ErrorCode } from '../util/errors.js';

/** Largest metadata file read (pickles, vocabulary): COCO's captions.pickle is ~30 MB. */
export const MAX_METADATA_BYTES = 1024 * 2 ** 20;
/** Largest text file read (captions, split lists, images.txt, bounding_boxes.txt, vocab.json). */
export const MAX_TEXT_BYTES = 64 * 2 ** 20;

export interface ReadOptions {
  /** Error code for a missing or unreadable file. */
  code: ErrorCode;
  /** What the file is, in messages ("caption file"). */
  what: string;
  hint?: string;
  maxBytes: number;
  /** The help line for a file over `maxBytes` (default: not a dataset file of this kind). */
  tooLargeHint?: string;
}

function fail(file: string, opts: ReadOptions, why: string, cause?: unknown, hint = opts.hint): AttncError {
  return new AttncError(opts.code, `${file}: ${opts.what} ${why}`, {
    path: file,
    ...(cause === undefined ? {} : { cause }),
    ...(hint ? { hint } : {}),
  });
}

function openFailure(file: string, opts: ReadOptions, e: unknown): AttncError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be opened (${code ?? (e as Error).message})`;
  return fail(file, opts, why, e);
}

/** What fstat must say before a byte is allocated: a regular file within the bound. Returns its size. */
function checkStat(file: string, opts: ReadOptions, st: { isDirectory(): boolean; isFile(): boolean; size: number }): number {
  if (st.isDirectory()) throw fail(file, opts, 'is a directory');
  if (!st.isFile()) throw fail(file, opts, 'is not a regular file (a device, pipe or socket)');
  if (st.size > opts.maxBytes) {
    throw fail(file, opts, `is ${st.size} bytes, over the limit of ${opts.maxBytes}`, undefined, opts.tooLargeHint ?? 'a file this large is not a dataset file of this kind; check the path');
  }
  return st.size;
}

function readFailure(file: string, opts: ReadOptions, e: unknown): AttncError {
  if (e instanceof AttncError) return e;
  return fail(file, opts, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
}

/** Opened non-blocking: opening a FIFO without a writer returns at once instead of waiting for one. */
const OPEN_FLAGS = fsSync.constants.O_RDONLY | (fsSync.constants.O_NONBLOCK ?? 0);

/**
 * The bytes of a regular file of at most `maxBytes`. Opened non-blocking and checked with fstat
 * before anything is allocated, so a FIFO, a device (/dev/zero) or a 50 GB file named like a
 * caption file is a clear `AttncError` naming it, not a hang or an out-of-memory crash.
 */
export async function readBoundedFile(file: string, opts: ReadOptions): Promise<Uint8Array> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, OPEN_FLAGS);
  } catch (e) {
    throw openFailure(file, opts, e);
  }
  try {
    const buf = new Uint8Array(checkStat(file, opts, await fh.stat()));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break; // shrank while reading
      off += bytesRead;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } catch (e) {
    throw readFailure(file, opts, e);
  } finally {
    await fh.close();
  }
}

/** `readBoundedFile` for synchronous callers (weights files: `.pth`, `captions.pickle` of `attnc import`). */
export function readBoundedFileSync(file: string, opts: ReadOptions): Uint8Array {
  let fd: number;
  try {
    fd = fsSync.openSync(file, OPEN_FLAGS);
  } catch (e) {
    throw openFailure(file, opts, e);
  }
  try {
    const buf = new Uint8Array(checkStat(file, opts, fsSync.fstatSync(fd)));
    let off = 0;
    while (off < buf.length) {
      const n = fsSync.readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break; // shrank while reading
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } catch (e) {
    throw readFailure(file, opts, e);
  } finally {
    fsSync.closeSync(fd);
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Byte offset of the first byte that is not part of well-formed UTF-8 (overlongs, surrogates and > U+10FFFF included), or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    let n: number, min: number, cp: number;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; cp = c & 0x07; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * The one rule for every text file of a dataset (captions, split lists, example lists, images.txt,
 * bounding_boxes.txt, vocab.json): strict UTF-8 (a leading BOM is dropped), no NUL characters.
 * Anything else is an `AttncError` with `code` naming the file and the byte offset.
 */
export function decodeText(bytes: Uint8Array, file: string, code: ErrorCode, what: string): string {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes); // native and fast; drops a leading BOM
  } catch {
    const bad = invalidUtf8Offset(bytes);
    const where = bad >= 0 ? ` (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at byte ${bad})` : '';
    throw new AttncError(code, `${file}: ${what} is not valid UTF-8${where}`, {
      path: file,
      hint: 'save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)',
    });
  }
  if (text.includes('\0')) {
    throw new AttncError(code, `${file}: ${what} contains a NUL byte at byte ${bytes.indexOf(0)}`, { path: file, hint: 'a text file was expected; is this a binary file?' });
  }
  return text;
}

/** A text file read under the shared rule (size bound, UTF-8, no NUL). */
export async function readTextFile(file: string, opts: Omit<ReadOptions, 'maxBytes'> & { maxBytes?: number }): Promise<string> {
  const bytes = await readBoundedFile(file, { maxBytes: MAX_TEXT_BYTES, ...opts });
  return decodeText(bytes, file, opts.code, opts.what);
}

export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** Lines of a list file, trimmed, empty ones dropped, with their line numbers. */
export function listLines(text: string): TextLine[] {
  const out: TextLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (t.length > 0) out.push({ line: i + 1, text: t });
  });
  return out;
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** A list file's lines (see listLines); `undefined` when the file is absent. `code` is for a file that cannot be read or decoded. */
export async function readListFile(file: string, what: string, code: ErrorCode): Promise<TextLine[] | undefined> {
  if (!(await fileExists(file))) return undefined;
  return listLines(await readTextFile(file, { code, what }));
}
