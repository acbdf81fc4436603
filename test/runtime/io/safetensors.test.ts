import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, halfToFloat } from '../../../runtime/io/safetensors.js';
import { AttncError } from '../../../runtime/util/errors.js';

const entries = [
  ['b.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
  ['a.bias', { shape: [3], data: Float32Array.from([-1, 0.5, 1e-3]) }],
  ['scalar', { shape: [], data: Float32Array.from([7]) }],
] as const;

function header(bytes: Uint8Array): { length: number; json: Record<string, any> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) };
}

function withHeader(json: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectFormatError(bytes: Uint8Array, pattern: RegExp): void {
  let err: unknown;
  try {
    decodeSafetensors(bytes, 'x.safetensors');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AttncError);
  expect((err as AttncError).message).toMatch(/^x\.safetensors: not a valid safetensors file/);
  expect((err as AttncError).message).toMatch(pattern);
}

describe('safetensors', () => {
  it('round-trips names, shapes, values and metadata', () => {
    const bytes = encodeSafetensors(entries, { format: 'pt', spec: 'tiny' });
    const back = decodeSafetensors(bytes, 'x.safetensors');
    expect(back.metadata).toEqual({ format: 'pt', spec: 'tiny' });
    expect([...back.tensors.keys()]).toEqual(['b.weight', 'a.bias', 'scalar']);
    for (const [name, t] of entries) {
      const r = back.tensors.get(name)!;
      expect(r.dtype).toBe('F32');
      expect(r.shape).toEqual([...t.shape]);
      expect([...r.data]).toEqual([...t.data]);
    }
  });

  it('follows the format: u64 LE header length, JSON header, 8-byte aligned data, contiguous offsets in write order', () => {
    const bytes = encodeSafetensors(entries, { format: 'pt' });
    const { length, json } = header(bytes);
    expect((8 + length) % 8).toBe(0);
    expect(json.__metadata__).toEqual({ format: 'pt' });
    expect(json['b.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(json['a.bias']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [24, 36] });
    expect(json.scalar).toEqual({ dtype: 'F32', shape: [], data_offsets: [36, 40] });
    expect(bytes.length).toBe(8 + length + 40);
    // the raw little-endian float32 of b.weight[1][2] = 6 sits at data offset 20
    expect(new DataView(bytes.buffer).getFloat32(8 + length + 20, true)).toBe(6);
  });

  it('reads F16, BF16, F64 and I64 tensors written by other tools', () => {
    const data = new Uint8Array(2 + 2 + 8 + 8);
    const v = new DataView(data.buffer);
    v.setUint16(0, 0x3c00, true); // half 1.0
    v.setUint16(2, 0xc000, true); // bf16 -2.0
    v.setFloat64(4, 0.25, true);
    v.setBigInt64(12, 123n, true);
    const t = decodeSafetensors(
      withHeader({ h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] }, d: { dtype: 'F64', shape: [1], data_offsets: [4, 12] }, n: { dtype: 'I64', shape: [], data_offsets: [12, 20] } }, data),
      'x.safetensors',
    ).tensors;
    expect([...t.get('h')!.data, ...t.get('b')!.data, ...t.get('d')!.data, ...t.get('n')!.data]).toEqual([1, -2, 0.25, 123]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x0001)).toBeCloseTo(5.96e-8, 10);
  });

  it('refuses truncation, huge header lengths, bad offsets, holes, overlaps and unknown dtypes, naming the file', () => {
    const good = encodeSafetensors(entries);
    expectFormatError(good.subarray(0, 5), /shorter than the 8-byte header length/);
    expectFormatError(good.subarray(0, good.length - 1), /spans bytes|bytes after the last tensor|hole/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expectFormatError(huge, /header length \d+ exceeds/);
    const f32 = (n: number) => new Uint8Array(n * 4);
    expectFormatError(withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)), /spans bytes 0\.\.16 of a 8-byte buffer/);
    expectFormatError(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)), /needs 12 bytes/);
    expectFormatError(withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), /hole before tensor "a"/);
    expectFormatError(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), /overlaps/);
    expectFormatError(withHeader({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, f32(1)), /unknown dtype "Q4"/);
    expectFormatError(withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /invalid shape/);
    expectFormatError(withHeader([1, 2], f32(0)), /not a JSON object/);
    const notJson = withHeader({}, f32(0));
    notJson[8] = 0x7b; notJson[9] = 0xff;
    expectFormatError(notJson, /not UTF-8 JSON/);
  });
});
