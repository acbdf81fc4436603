import { readBoundedFileSync } from './read-file.js';
import { readPickleAt, type PickleValue } from './pickle.js';
import { AttncError } from '../util/errors.js';
import { stateDictPickleHooks, StorageRef, TensorRef, type StorageDtype } from './pth-pickle.js';
import { isZip, PthZip } from './pth-zip.js';

/**
 * Read a PyTorch `state_dict` file (`torch.save(module.state_dict(), path)`) without Python and
 * without running anything from it. Both container formats:
 * - zip (PyTorch ≥ 1.6): see pth-zip.ts;
 * - legacy (PyTorch ≤ 1.5 and `_use_new_zipfile_serialization=False`; the AttnGAN authors' 2018
 *   files): five pickles in a row — magic number, protocol version 1001, sys info, the state_dict
 *   (storages as persistent ids), the list of storage keys — then per key an int64 element count
 *   and the raw little-endian storage.
 * The pickles go through the project's safe reader with the state_dict allow-list (pth-pickle.ts).
 *
 * Bounds, all checked before allocating: a storage's declared size must fit in the file (or zip
 * entry) that holds it; a tensor's extent (offset + Σ (size−1)·stride) must lie inside its storage
 * and its element count must not exceed the storage's (no expanded views); the tensors together
 * may not exceed `maxBytes` (default 4 × the file size + 1 MiB, as float32).
 */

export type PthTensorData = Float32Array | Int32Array;

export interface PthTensor {
  name: string;
  /** PyTorch layout, e.g. [out, in, kh, kw]. */
  shape: number[];
  /** The stored dtype; float16/bfloat16/float64 arrive as float32, integer and bool types as int32. */
  dtype: StorageDtype;
  data: PthTensorData;
}

export interface PthFile {
  file: string;
  format: 'zip' | 'legacy';
  /** In the file's (state_dict) order. */
  tensors: PthTensor[];
}

/** A tensor of an opened file: name, shape and dtype known and checked; values decoded on `read()`. */
export interface PthEntry {
  name: string;
  shape: number[];
  dtype: StorageDtype;
  read(): PthTensorData;
}

/**
 * An opened `.pth`: every bound is checked and every tensor described, nothing decoded yet. Loading
 * one tensor at a time (runtime/nn/weights.ts) needs the file plus about one tensor's copies, not
 * the file plus the whole network.
 */
export interface PthArchive {
  file: string;
  format: 'zip' | 'legacy';
  entries: PthEntry[];
}

export interface PthReadOptions {
  /** Largest total size of the decoded tensors in bytes. */
  maxBytes?: number;
  /**
   * Keys leading from the pickled root to the state_dict, for checkpoints that nest them
   * (DF-GAN's `state_epoch_*.pth`: `['model', 'netG']`); the rest of the file is not read.
   */
  at?: readonly string[];
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** Refuse bigger files up front (the COCO D256, the largest AttnGAN network, is ~650 MB). */
export const MAX_PTH_FILE_BYTES = 2 ** 32;

export function readPthFile(path: string, opts: PthReadOptions = {}): PthFile {
  return readAll(openPthFile(path, opts));
}

export function readPth(bytes: Uint8Array, file = '<pth>', opts: PthReadOptions = {}): PthFile {
  return readAll(openPth(bytes, file, opts));
}

function readAll(a: PthArchive): PthFile {
  return { file: a.file, format: a.format, tensors: a.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype, data: e.read() })) };
}

/**
 * Reads through the data layer's bounded reader: a regular file only, its size known (and bounded)
 * before a byte is allocated, so a directory, /dev/zero or a FIFO named as weights is a clear error.
 */
export function openPthFile(path: string, opts: PthReadOptions = {}): PthArchive {
  return openPth(readPthFileBytes(path), path, opts);
}

/** A weights file's bytes through the bounded reader, for callers that open several parts of one file. */
export function readPthFileBytes(path: string): Uint8Array {
  return readBoundedFileSync(path, {
    code: 'ATTNC_IO_READ',
    what: 'weights file',
    maxBytes: MAX_PTH_FILE_BYTES,
    hint: 'name a PyTorch state_dict file (.pth)',
    tooLargeHint: 'larger than any AttnGAN network (the largest, COCO\'s D256, is ~650 MB)',
  });
}

export function openPth(bytes: Uint8Array, file = '<pth>', opts: PthReadOptions = {}): PthArchive {
  const maxBytes = opts.maxBytes ?? bytes.length * 4 + 2 ** 20;
  if (isZip(bytes)) return readZip(bytes, file, maxBytes, opts.at);
  if (bytes.length >= 3 && bytes[0] === 0x80 && bytes[2] === 0x8a) return readLegacy(bytes, file, maxBytes, opts.at);
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    throw pthError(file, 'a tar-format checkpoint (PyTorch < 0.1.10) is not supported', 'load and re-save it with a newer PyTorch');
  }
  throw pthError(file, 'not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream)');
}

function readZip(bytes: Uint8Array, file: string, maxBytes: number, at?: readonly string[]): PthArchive {
  const zip = new PthZip(bytes, file);
  const pklName = `${zip.prefix}/data.pkl`;
  const pkl = zip.read(pklName, bytes.length);
  const storages = new Map<string, StorageRef>();
  let value: PickleValue;
  try {
    ({ value } = readPickleAt(pkl, 0, pklName, stateDictPickleHooks(storages)));
  } catch (e) {
    // Offsets are within the zip entry: name both the file and the entry.
    if (e instanceof AttncError) throw new AttncError(e.code, `${file}: ${e.message}`, { path: file, ...(e.hint ? { hint: e.hint } : {}), cause: e });
    throw e;
  }
  const loaders = new Map<string, () => Uint8Array>();
  for (const ref of storages.values()) {
    if (ref.view) continue;
    const want = ref.numel * ref.type.bytes;
    if (want > maxBytes) throw pthError(file, `storage ${ref.key} declares ${ref.numel} elements (${want} bytes), more than the limit of ${maxBytes}`);
    const entry = `${zip.prefix}/data/${ref.key}`;
    const info = zip.entries.get(entry);
    if (!info) throw pthError(file, `missing entry ${entry} for storage ${ref.key}`);
    if (info.originalSize !== want) throw pthError(file, `entry ${entry} has ${info.originalSize} bytes, its storage declares ${want}`);
    loaders.set(ref.key, () => zip.read(entry, want));
  }
  return { file, format: 'zip', entries: describe(select(value, at, file), storages, loaders, file, maxBytes) };
}

function readLegacy(bytes: Uint8Array, file: string, maxBytes: number, at?: readonly string[]): PthArchive {
  const plain = (start: number) => readPickleAt(bytes, start, file);
  const magic = plain(0);
  if (magic.value !== LEGACY_MAGIC && magic.value !== Number(LEGACY_MAGIC)) throw pthError(file, 'legacy checkpoint without PyTorch\'s magic number');
  const proto = plain(magic.end);
  if (proto.value !== LEGACY_PROTOCOL) throw pthError(file, `legacy checkpoint protocol ${String(proto.value)} is not ${LEGACY_PROTOCOL}`);
  const sys = plain(proto.end);
  const info = sys.value as Record<string, PickleValue> | null;
  if (!info || typeof info !== 'object' || info['little_endian'] !== true) throw pthError(file, 'legacy checkpoint is not little-endian', 'only little-endian checkpoints are read');
  const storages = new Map<string, StorageRef>();
  const main = readPickleAt(bytes, sys.end, file, stateDictPickleHooks(storages));
  const keysPickle = plain(main.end);
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw pthError(file, 'legacy checkpoint: the storage key list is malformed');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Map<string, () => Uint8Array>();
  let pos = keysPickle.end;
  for (const key of keys as string[]) {
    const ref = storages.get(key);
    if (!ref || ref.view) throw pthError(file, `legacy checkpoint lists storage ${key}, which no tensor uses`);
    if (data.has(key)) throw pthError(file, `legacy checkpoint lists storage ${key} twice`);
    if (pos + 8 > bytes.length) throw pthError(file, `truncated: storage ${key} is missing at byte ${pos}`);
    const numel = view.getBigInt64(pos, true);
    if (numel !== BigInt(ref.numel)) throw pthError(file, `storage ${key} at byte ${pos} holds ${numel} elements, its pickle declared ${ref.numel}`);
    const want = ref.numel * ref.type.bytes;
    if (pos + 8 + want > bytes.length) throw pthError(file, `truncated: storage ${key} at byte ${pos} needs ${want} bytes, ${bytes.length - pos - 8} remain`);
    const at = pos + 8;
    data.set(key, () => bytes.subarray(at, at + want));
    pos += 8 + want;
  }
  for (const ref of storages.values()) {
    if (!ref.view && !data.has(ref.key)) throw pthError(file, `legacy checkpoint lacks the data of storage ${ref.key}`);
  }
  return { file, format: 'legacy', entries: describe(select(main.value, at, file), storages, data, file, maxBytes) };
}

/** The value under `at` (keys of nested dicts from the root); the root itself when `at` is empty. */
function select(root: PickleValue, at: readonly string[] | undefined, file: string): PickleValue {
  let v = root;
  const walked: string[] = [];
  for (const k of at ?? []) {
    const here = walked.length ? `under ${walked.join('.')}` : 'at the top';
    if (v === null || typeof v !== 'object' || Array.isArray(v) || (v as unknown) instanceof TensorRef) {
      throw pthError(file, `no dict ${here} to find "${k}" in`, 'name the keys that lead to the state_dict');
    }
    const d = v as Record<string, PickleValue>;
    if (!Object.prototype.hasOwnProperty.call(d, k)) {
      throw pthError(file, `no key "${k}" ${here} (keys: ${Object.keys(d).slice(0, 8).join(', ')})`, 'name the keys that lead to the state_dict');
    }
    v = d[k]!;
    walked.push(k);
  }
  return v;
}

/** The state_dict's tensors in file order (`num_batches_tracked` included), checked, decoded on read(). */
function describe(
  root: PickleValue,
  storages: Map<string, StorageRef>,
  data: Map<string, () => Uint8Array>,
  file: string,
  maxBytes: number,
): PthEntry[] {
  if (root === null || typeof root !== 'object' || Array.isArray(root) || (root as unknown) instanceof TensorRef) {
    throw pthError(file, 'the file does not hold a state_dict (a dict of tensors)', 'save it with torch.save(model.state_dict(), path)');
  }
  const entries = Object.entries(root as Record<string, unknown>);
  const nonTensor = entries.filter(([, v]) => !(v instanceof TensorRef)).map(([k]) => k);
  if (nonTensor.length) {
    throw pthError(
      file,
      `entries ${nonTensor.slice(0, 5).join(', ')}${nonTensor.length > 5 ? ', …' : ''} are not tensors`,
      'a wrapper dict (e.g. {"state_dict": …, "epoch": …}) is not read; save the state_dict itself',
    );
  }
  let total = 0;
  return entries.map(([name, v]) => {
    const t = v as TensorRef;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const root = t.storage.view ? storages.get(t.storage.view.key)! : t.storage;
    const base = t.storage.view ? t.storage.view.offset : 0;
    if (n > t.storage.numel) throw pthError(file, `tensor ${name} of shape [${t.shape}] has more elements than its storage (${t.storage.numel})`, 'expanded (stride-0) views are not read');
    let extent = t.offset;
    for (let i = 0; i < t.shape.length; i++) extent += (t.shape[i]! - 1) * t.stride[i]!;
    if (n > 0 && extent >= t.storage.numel) throw pthError(file, `tensor ${name} reaches element ${extent} of a storage of ${t.storage.numel}`);
    total += n * 4;
    if (total > maxBytes) throw pthError(file, `the tensors need more than ${maxBytes} bytes`, 'raise the limit only for a file you trust');
    const load = data.get(root.key)!;
    return { name, shape: [...t.shape], dtype: t.storage.type.dtype, read: () => gather(load(), t.storage.type.dtype, base + t.offset, t.shape, t.stride, n, file, name) };
  });
}

/** Copy (or view) a strided window of a little-endian storage into a contiguous array. */
function gather(bytes: Uint8Array, dtype: StorageDtype, offset: number, shape: number[], stride: number[], n: number, file: string, name: string): PthTensorData {
  const isFloat = dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
  const contiguous = isContiguous(shape, stride);
  if (dtype === 'float32' && contiguous && (bytes.byteOffset + offset * 4) % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset + offset * 4, n);
  }
  const out = isFloat ? new Float32Array(n) : new Int32Array(n);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = reader(v, dtype, file, name);
  if (contiguous) {
    for (let i = 0; i < n; i++) out[i] = read(offset + i);
    return out;
  }
  const idx = new Array<number>(shape.length).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    out[i] = read(src);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]!++;
      src += stride[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d]!;
  }
  return true;
}

function reader(v: DataView, dtype: StorageDtype, file: string, name: string): (i: number) => number {
  switch (dtype) {
    case 'float32': return (i) => v.getFloat32(i * 4, true);
    case 'float64': return (i) => v.getFloat64(i * 8, true);
    case 'float16': return (i) => halfToFloat(v.getUint16(i * 2, true));
    case 'bfloat16': {
      const f = new DataView(new ArrayBuffer(4));
      return (i) => { f.setUint32(0, v.getUint16(i * 2, true) << 16, false); return f.getFloat32(0, false); };
    }
    case 'int64': return (i) => {
      const x = v.getBigInt64(i * 8, true);
      if (x > 2147483647n || x < -2147483648n) {
        throw pthError(file, `tensor ${name}: int64 value ${x} does not fit in int32`, 'AttnGAN state_dicts hold integers only in num_batches_tracked');
      }
      return Number(x);
    };
    case 'int32': return (i) => v.getInt32(i * 4, true);
    case 'int16': return (i) => v.getInt16(i * 2, true);
    case 'int8': return (i) => v.getInt8(i);
    case 'uint8': case 'bool': return (i) => v.getUint8(i);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function pthError(file: string, msg: string, hint?: string): AttncError {
  return new AttncError('ATTNC_PTH', `${file}: ${msg}`, { path: file, hint: hint ?? 'the file is damaged or not a PyTorch state_dict' });
}
