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
export function checkKey(key: unknown, origin: KeyOrigin, folder: string): string {
  const bad = (why: string): never => {
    const shown = typeof key === 'string' ? JSON.stringify(key.length > 200 ? key.slice(0, 200) + '…' : key) : String(key);
    throw new AttncError('ATTNC_DATA_KEY', `${origin.file}: ${origin.entry}: key ${shown} ${why}`, { path: origin.file, hint: KEY_HINT });
  };
  if (typeof key !== 'string') return bad('is not a string');
  if (key.length === 0) return bad('is empty');
  if (key.length > MAX_KEY_LENGTH) return bad(`is ${key.length} characters long (at most ${MAX_KEY_LENGTH})`);
  // eslint-disable-next-line no-control-regex
  const ctl = /[\u0000-\u001f\u007f]/.exec(key);
  if (ctl) return bad(`contains the control character U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (key.includes('\\')) return bad('contains a backslash');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return bad(`is an absolute path (it must be a path inside ${folder})`);
  const norm = path.posix.normalize(key);
  if (norm === '.' || norm === '..' || norm.startsWith('../')) return bad(`leaves ${folder} (it must be a path inside ${folder})`);
  return key;
}

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
