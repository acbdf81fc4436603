import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AttncError } from '../util/errors.js';

/** Where a key came from, for messages: the list file and the entry in it ("line 3", "item 7"). */
export interface KeyOrigin {
  file: string;
  entry: string;
}

/** Longest key accepted: file systems stop at 4,096 bytes per path, 255 per name. */
export const MAX_KEY_LENGTH = 1024;

const KEY_HINT =
  'a key is a relative path inside the dataset folder with "/" between folders, e.g. ' +
  '"001.Black_footed_Albatross/Black_Footed_Albatross_0046_18"; absolute paths, ".." that leaves the ' +
  'folder, backslashes and control characters (NUL included) are refused';

/**
 * The one check for every key a dataset file names (CUB/COCO `filenames.pickle`, custom split
 * lists, `example_filenames.txt`): after normalisation the key must stay inside the folder it is
 * joined to. NUL and other control characters, backslashes, drive letters and absolute paths are
 * refused outright, so a key cannot mean different things to this check and to the file system.
 * Returns the key unchanged; throws `ATTNC_DATA_KEY` naming the list file and the entry.
 */
export function checkKey(key: unknown, origin: KeyOrigin | (() => KeyOrigin), folder: string): string {
  const why = keyProblem(key, folder);
  if (why === undefined) return key as string;
  throw keyError(key, typeof origin === 'function' ? origin() : origin, why);
}

/** The error for a refused key (`why` from keyProblem). */
export function keyError(key: unknown, o: KeyOrigin, why: string): AttncError {
  const shown = typeof key === 'string' ? JSON.stringify(key.length > 200 ? key.slice(0, 200) + '…' : key) : String(key);
  return new AttncError('ATTNC_DATA_KEY', `${o.file}: ${o.entry}: key ${shown} ${why}`, { path: o.file, hint: KEY_HINT });
}

/**
 * What is wrong with a key, or undefined. Allocates nothing for a good key (a list of 10 million
 * keys is checked in a fraction of a second): the origin is only formatted for an error, and
 * `path.posix.normalize` only runs when the key has a `.` segment that it could resolve.
 */
export function keyProblem(key: unknown, folder: string): string | undefined {
  if (typeof key !== 'string') return 'is not a string';
  if (key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters long (at most ${MAX_KEY_LENGTH})`;
  // eslint-disable-next-line no-control-regex
  const ctl = CONTROL.exec(key);
  if (ctl) return `contains the control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
  if (key.includes('\\')) return 'contains a backslash';
  if (key.charCodeAt(0) === 0x2f || DRIVE.test(key)) return `is an absolute path (it must be a path inside ${folder})`;
  // Only "." and ".." segments can make a relative path leave its folder or name the folder itself.
  if (!DOT_SEGMENT.test(key)) return undefined;
  const norm = path.posix.normalize(key);
  if (norm === '.' || norm === '..' || norm.startsWith('../')) return `leaves ${folder} (it must be a path inside ${folder})`;
  return undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const DRIVE = /^[A-Za-z]:/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Where a keyed file really is. Without `followSymlinks` a file whose real path (all links resolved)
 * lies outside both the dataset folder and its own folder (`images/`, `text/`, itself possibly a
 * link you made) is refused: a link inside a downloaded dataset must not reach the rest of the disk.
 */
export class DatasetFiles {
  private readonly realDirs = new Map<string, Promise<string | undefined>>();

  constructor(
    readonly root: string,
    readonly followSymlinks = false,
  ) {}

  private real(dir: string): Promise<string | undefined> {
    let p = this.realDirs.get(dir);
    if (!p) {
      p = fs.realpath(dir).catch(() => undefined);
      this.realDirs.set(dir, p);
    }
    return p;
  }

  /**
   * Whether `file` (inside `folder`, already built from a checked key) exists; throws
   * `ATTNC_DATA_KEY` naming `origin` when it is a link that leads out.
   */
  async exists(file: string, folder: string, origin: string): Promise<boolean> {
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch {
      return false;
    }
    if (this.followSymlinks) return true;
    const [root, dir] = await Promise.all([this.real(this.root), this.real(folder)]);
    if ((root && inside(real, root)) || (dir && inside(real, dir))) return true;
    throw new AttncError('ATTNC_DATA_KEY', `${file}: leads outside the dataset folder (to ${real}); ${origin}`, {
      path: file,
      hint: 'symbolic links out of the dataset folder are not followed; set followSymlinks: true in the loader config if you trust them',
    });
  }
}
