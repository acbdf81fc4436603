import { unzipSync } from 'fflate';
import { AttncError } from '../util/errors.js';

/**
 * The zip container of PyTorch ≥ 1.6 `.pth` files: `<prefix>/data.pkl`, `<prefix>/data/<key>` (one
 * raw little-endian storage per key), `<prefix>/version`, optionally `<prefix>/byteorder`.
 * fflate does the unzipping; before it runs, the end-of-central-directory record is checked so its
 * counts and offsets lie inside the file (fflate trusts them), every entry name must be a plain
 * relative path inside the one top-level folder, an entry with the encryption flag set is refused
 * (fflate ignores the flag and would inflate the ciphertext as if it were the data), and an entry's
 * size is checked before it is inflated or copied.
 */

export interface ZipEntryInfo {
  name: string;
  size: number;
  originalSize: number;
  compression: number;
}

export class PthZip {
  readonly prefix: string;
  readonly entries = new Map<string, ZipEntryInfo>();

  constructor(readonly bytes: Uint8Array, readonly file: string) {
    refuseEncrypted(bytes, checkDirectory(bytes, file), file);
    let prefix: string | undefined;
    try {
      unzipSync(bytes, {
        filter: (f) => {
          checkName(f.name, file);
          if (this.entries.has(f.name)) throw zipError(file, `entry ${f.name} appears twice`);
          this.entries.set(f.name, { ...f });
          return false;
        },
      });
    } catch (e) {
      if (e instanceof AttncError) throw e;
      throw zipError(file, `unreadable zip directory (${(e as Error).message})`);
    }
    for (const name of this.entries.keys()) {
      const m = /^([^/]+)\/data\.pkl$/.exec(name);
      if (!m) continue;
      if (prefix !== undefined) throw zipError(file, `two state pickles (${prefix}/data.pkl and ${name})`);
      prefix = m[1]!;
    }
    if (prefix === undefined) {
      throw zipError(file, 'no <name>/data.pkl entry: this zip is not a PyTorch checkpoint', 'PyTorch ≥ 1.6 writes <name>/data.pkl and <name>/data/<n>');
    }
    this.prefix = prefix;
    for (const name of this.entries.keys()) {
      if (!name.startsWith(`${prefix}/`)) throw zipError(file, `entry ${name} lies outside the checkpoint folder ${prefix}/`);
    }
    const order = this.entries.get(`${prefix}/byteorder`);
    if (order) {
      const text = new TextDecoder().decode(this.read(`${prefix}/byteorder`, 16));
      if (text.trim() !== 'little') throw zipError(file, `byte order "${text.trim()}" is not supported`, 'only little-endian checkpoints are read');
    }
  }

  /** The bytes of one entry, refused when its declared size exceeds `maxSize` (before any copy). */
  read(name: string, maxSize: number): Uint8Array {
    const info = this.entries.get(name);
    if (!info) throw zipError(this.file, `missing entry ${name}`);
    if (info.originalSize > maxSize) throw zipError(this.file, `entry ${name} declares ${info.originalSize} bytes, more than the ${maxSize} expected`);
    if (info.compression !== 0 && info.compression !== 8) throw zipError(this.file, `entry ${name} uses compression method ${info.compression}`, 'only stored and deflated entries are read');
    // Deflate expands at most ~1032×: a larger declared size is a lie (a zip bomb).
    if (info.compression === 8 && info.originalSize > info.size * 1032 + 1024) throw zipError(this.file, `entry ${name} claims an impossible compression ratio`);
    if (info.compression === 0 && info.size !== info.originalSize) throw zipError(this.file, `stored entry ${name} has different packed and unpacked sizes`);
    let out: Uint8Array | undefined;
    try {
      out = unzipSync(this.bytes, { filter: (f) => f.name === name })[name];
    } catch (e) {
      throw zipError(this.file, `entry ${name} is corrupt (${(e as Error).message})`);
    }
    if (!out || out.length !== info.originalSize) throw zipError(this.file, `entry ${name} is truncated: ${out?.length ?? 0} of ${info.originalSize} bytes`);
    return out;
  }
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function zipError(file: string, msg: string, hint?: string): AttncError {
  return new AttncError('ATTNC_PTH', `${file}: ${msg}`, { path: file, hint: hint ?? 'the file is damaged or not a PyTorch checkpoint' });
}

function checkName(name: string, file: string): void {
  const parts = name.split('/');
  const bad =
    name.length === 0 ||
    name.length > 512 ||
    name.startsWith('/') ||
    /[\\\0:]/.test(name) ||
    parts.some((p) => p === '..' || p === '.') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(name);
  if (bad) throw zipError(file, `entry name ${JSON.stringify(name)} is not a plain path inside the archive`);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

/** End-of-central-directory (and zip64) checks: counts and offsets must lie inside the file. */
function checkDirectory(d: Uint8Array, file: string): Directory {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let e = d.length - 22;
  const lowest = Math.max(0, d.length - 22 - 65535);
  while (e >= lowest && !(e >= 0 && v.getUint32(e, true) === 0x06054b50)) e--;
  if (e < lowest) throw zipError(file, 'no zip end-of-central-directory record (truncated file?)');
  let count = v.getUint16(e + 10, true);
  let size = v.getUint32(e + 12, true);
  let offset = v.getUint32(e + 16, true);
  let end = e;
  if (e >= 20 && v.getUint32(e - 20, true) === 0x07064b50) {
    const ze = Number(v.getBigUint64(e - 12, true));
    if (ze + 56 > e - 20 || v.getUint32(ze, true) !== 0x06064b50) throw zipError(file, 'zip64 directory record lies outside the file');
    count = Number(v.getBigUint64(ze + 32, true));
    size = Number(v.getBigUint64(ze + 40, true));
    offset = Number(v.getBigUint64(ze + 48, true));
    end = ze;
  }
  if (offset + size > end || count * 46 > size) throw zipError(file, 'zip central directory lies outside the file');
  return { offset, size, count };
}

/** General purpose flag bits: 0 = encrypted (traditional PKWARE or AES), 6 = strong encryption. */
const ENCRYPTED = 0x0001 | 0x0040;

/**
 * Walks the central directory and each entry's local header: any entry whose flags say encrypted is
 * refused by name. (Both headers are checked: fflate reads the central one, other tools the local.)
 */
function refuseEncrypted(d: Uint8Array, dir: Directory, file: string): void {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const end = dir.offset + dir.size;
  let p = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > end || v.getUint32(p, true) !== 0x02014b50) throw zipError(file, `zip central directory entry ${i} at byte ${p} is malformed`);
    const flags = v.getUint16(p + 8, true);
    const nameLen = v.getUint16(p + 28, true);
    const next = p + 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
    if (next > end) throw zipError(file, `zip central directory entry ${i} at byte ${p} runs past the directory`);
    const name = new TextDecoder().decode(d.subarray(p + 46, p + 46 + nameLen));
    const local = v.getUint32(p + 42, true);
    const localFlags = local !== 0xffffffff && local + 30 <= d.length && v.getUint32(local, true) === 0x04034b50 ? v.getUint16(local + 6, true) : 0;
    if ((flags | localFlags) & ENCRYPTED) {
      throw zipError(file, `entry ${name} is encrypted`, 'PyTorch never encrypts its checkpoints; decrypt the archive (or re-save the state_dict) first');
    }
    p = next;
  }
}
