/**
 * safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a
 * JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { k: "v" } }`,
 * then one byte buffer that the tensors cover exactly (no holes, no overlaps). Safe to read: no code,
 * every size is checked against the file before anything is allocated.
 */
import { AttncError } from '../util/errors.js';
import type { TorchState } from './torch-state.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** A tensor as read: float dtypes are converted to float32, integer dtypes to float64 values in a Float64Array. */
export interface TensorRecord {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorRecord>;
  metadata: Record<string, string>;
}

/** What may be written: float32 tensors by name, in the order given. */
export type TensorEntries = ReadonlyArray<readonly [string, { readonly shape: readonly number[]; readonly data: Float32Array }]>;

/** Upper bound of the JSON header (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/**
 * `dtype: 'F16'` stores the values as IEEE half floats (round to nearest even; half the size, for
 * weights that tolerate 11 significant bits, e.g. the shipped attribute classifier).
 */
export function encodeSafetensors(entries: TensorEntries, metadata: Record<string, string> = {}, opts: { dtype?: 'F32' | 'F16' } = {}): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const width = BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__' || name in header) throw new Error(`safetensors: duplicate or reserved tensor name "${name}"`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + n * width] };
    offset += n * width;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + raw) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    if (dtype === 'F16') {
      for (let i = 0; i < t.data.length; i++, pos += 2) view.setUint16(pos, floatToHalf(t.data[i]!), true);
      continue;
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, pos); // little-endian hosts only (x86-64, arm64): float32 bytes are written as they are in memory
    pos += bytes.length;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float → IEEE 754 half, rounding to nearest even (overflow to ±Infinity, subnormals kept, NaN kept). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the implicit-1 mantissa right, rounding to nearest even.
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa rounds into the exponent, which is the correct result (up to Infinity).
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

function fail(file: string, message: string, offset?: number): never {
  throw new AttncError('ATTNC_WEIGHTS_FORMAT', `${file}: not a valid safetensors file: ${message}${offset === undefined ? '' : ` (byte ${offset})`}`, {
    path: file,
    hint: 'the file is truncated, corrupt, or not a safetensors file; re-create or re-download it',
  });
}

function isDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === 'string' && Object.hasOwn(BYTES, x);
}

/** Parses and checks a whole file's bytes. `file` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  if (bytes.length < 8) fail(file, `${bytes.length} bytes, shorter than the 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    fail(file, `header length ${n64} exceeds ${n64 > BigInt(MAX_HEADER_BYTES) ? `the limit of ${MAX_HEADER_BYTES}` : `the file (${bytes.length - 8} bytes after the length)`}`, 0);
  }
  const headerLength = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(file, `header is not UTF-8 JSON (${(e as Error).message})`, 8);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, 'header is not a JSON object', 8);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  const raw = new Map<string, { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }>();
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, '__metadata__ is not an object', 8);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(file, `__metadata__.${k} is not a string`, 8);
        metadata[k] = v;
      }
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) fail(file, `entry "${name}" is not an object`, 8);
    if (!isDtype(t.dtype)) fail(file, `tensor "${name}" has unknown dtype ${JSON.stringify(t.dtype)}`, 8);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(file, `tensor "${name}" has an invalid shape`, 8);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((o) => !Number.isSafeInteger(o) || o < 0)) fail(file, `tensor "${name}" has invalid data_offsets`, 8);
    const [begin, end] = off as [number, number];
    if (begin > end || end > dataLength) fail(file, `tensor "${name}" spans bytes ${begin}..${end} of a ${dataLength}-byte buffer`, dataStart + Math.min(begin, dataLength));
    const shape = t.shape as number[];
    let count = 1;
    for (const d of shape) count *= d;
    if (count * BYTES[t.dtype] !== end - begin) fail(file, `tensor "${name}" of shape [${shape.join(', ')}] ${t.dtype} needs ${count * BYTES[t.dtype]} bytes, its offsets give ${end - begin}`, dataStart + begin);
    raw.set(name, { dtype: t.dtype, shape, begin, end });
    spans.push([begin, end, name]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) fail(file, begin < covered ? `tensor "${name}" overlaps the one before it` : `the byte buffer has a hole before tensor "${name}"`, dataStart + begin);
    covered = end;
  }
  if (covered !== dataLength) fail(file, `${dataLength - covered} bytes after the last tensor`, dataStart + covered);
  const tensors = new Map<string, TensorRecord>();
  for (const [name, r] of raw) tensors.set(name, { dtype: r.dtype, shape: r.shape, data: convert(bytes, dataStart + r.begin, r.end - r.begin, r.dtype) });
  return { tensors, metadata };
}

function convert(bytes: Uint8Array, at: number, length: number, dtype: SafetensorsDtype): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, length);
  const n = length / BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      new Uint8Array(out.buffer).set(bytes.subarray(at, at + length));
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const tmp = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        tmp.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = tmp.getFloat32(0);
      }
      return out;
    }
    default: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        switch (dtype) {
          case 'I64': out[i] = Number(view.getBigInt64(i * 8, true)); break;
          case 'I32': out[i] = view.getInt32(i * 4, true); break;
          case 'I16': out[i] = view.getInt16(i * 2, true); break;
          case 'I8': out[i] = view.getInt8(i); break;
          default: out[i] = view.getUint8(i); // U8, BOOL
        }
      }
      return out;
    }
  }
}

/** IEEE 754 half → float (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A whole safetensors file as float32 tensors by name (integer and half-precision values converted). */
export function safetensorsState(bytes: Uint8Array, file: string): TorchState {
  const out: TorchState = new Map();
  for (const [k, t] of decodeSafetensors(bytes, file).tensors) out.set(k, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  return out;
}
