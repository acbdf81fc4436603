import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writePickle } from '../../../runtime/io/pickle.js';
import { readPth, readPthFile } from '../../../runtime/io/pth.js';
import { writePth } from '../../../runtime/io/pth-write.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { fixture } from './parity-helpers.js';

// What a state_dict file can hold besides plain float32 tensors: other storage types and views
// (tools/make_pth_fixtures.py → dtypes.pth in both formats), and the PyTorch 0.3 / Python 2 form
// of the authors' 2018 files, built here byte by byte.

interface Expected {
  shape: number[];
  dtype: string;
  data: number[];
}

describe('.pth storage types and views', () => {
  const expected = JSON.parse(fs.readFileSync(fixture('dtypes.json'), 'utf8')) as Record<string, Expected>;
  for (const name of ['dtypes.pth', 'dtypes_legacy.pth']) {
    it(`${name}: half/bfloat16/double → float32, int64, transposed/offset/shared views, a Parameter, a scalar`, () => {
      const p = readPthFile(fixture(name));
      expect(p.tensors.map((t) => t.name)).toEqual(Object.keys(expected));
      for (const t of p.tensors) {
        const e = expected[t.name]!;
        expect(t.shape, t.name).toEqual(e.shape);
        expect(t.dtype, t.name).toBe(e.dtype === 'float' ? 'float32' : e.dtype);
        expect([...t.data], t.name).toEqual(e.data.map((x) => (t.data instanceof Float32Array ? Math.fround(x) : x)));
      }
    });
  }
});

/** A legacy .pth as PyTorch 0.3 on Python 2 writes it: v1 rebuild, 6-field persistent ids, py2 OrderedDict. */
function py2Legacy(): Uint8Array {
  const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const sstr = (s: string) => [0x55, s.length, ...ascii(s)]; // SHORT_BINSTRING: Python 2 str
  const tensor = (key: string, numel: number, offset: number, shape: number[], stride: number[]) => [
    0x63, ...ascii('torch._utils\n_rebuild_tensor\n'),
    0x28, // args
    0x28, ...sstr('storage'), 0x63, ...ascii('torch\nFloatStorage\n'), ...sstr(key), ...sstr('cuda:0'), 0x4a, ...u32(numel), 0x4e, 0x74, 0x51,
    0x4b, offset,
    0x28, ...shape.flatMap((x) => [0x4b, x]), 0x74,
    0x28, ...stride.flatMap((x) => [0x4b, x]), 0x74,
    0x74, 0x52,
  ];
  // OrderedDict([[k, v], ...]) as Python 2's OrderedDict.__reduce__ pickles it
  const main = Uint8Array.from([
    0x80, 0x02, 0x63, ...ascii('collections\nOrderedDict\n'),
    0x5d, // [
    0x28,
    0x5d, 0x28, ...sstr('fc.weight'), ...tensor('140213', 6, 0, [2, 3], [3, 1]), 0x65,
    0x5d, 0x28, ...sstr('fc.bias'), ...tensor('140377', 4, 1, [2], [2]), 0x65,
    0x65, // APPENDS
    0x85, 0x52, 0x2e, // TUPLE1 REDUCE STOP
  ]);
  const storage = (values: number[]) => {
    const b = new Uint8Array(8 + values.length * 4);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, BigInt(values.length), true);
    values.forEach((x, i) => v.setFloat32(8 + 4 * i, x, true));
    return b;
  };
  const parts = [
    writePickle(0x1950a86a20f9469cfc6cn),
    writePickle(1001),
    writePickle({ protocol_version: 1001, little_endian: true, type_sizes: { short: 2, int: 4, long: 8 } }),
    main,
    writePickle(['140213', '140377']),
    storage([1, 2, 3, 4, 5, 6]),
    storage([10, 20, 30, 40]),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

describe('a PyTorch 0.3 / Python 2 legacy file', () => {
  it('reads _rebuild_tensor (v1), Python 2 strings and OrderedDict pairs, a strided offset view', () => {
    const p = readPth(py2Legacy(), 'bird_AttnGAN2-like.pth');
    expect(p.format).toBe('legacy');
    expect(p.tensors.map((t) => [t.name, t.shape, [...t.data]])).toEqual([
      ['fc.weight', [2, 3], [1, 2, 3, 4, 5, 6]],
      ['fc.bias', [2], [20, 40]],
    ]);
  });
});

describe('GPU-saved state_dicts (torch.cuda.*Storage, location cuda:0) read as their CPU twins', () => {
  // tools/make_pth_gpu.py: the parity networks as PyTorch 0.3 / Python 2 saved a GPU model (how the
  // authors' bird_AttnGAN2.pth and DAMSM encoders were saved) and as PyTorch 1.6-1.11 zip files;
  // torch.load(map_location='cpu') reads each back equal to the CPU file.
  for (const net of ['netG', 'text_encoder']) {
    const cpu = readPthFile(fixture(`${net}.pth`)).tensors;
    for (const [file, format] of [[`${net}_cuda_py2.pth`, 'legacy'], [`${net}_cuda.pth`, 'zip']] as const) {
      it(`${file} (${format}): every tensor equals ${net}.pth's`, () => {
        const p = readPthFile(fixture(file));
        expect(p.format).toBe(format);
        // PyTorch 0.3 had no num_batches_tracked.
        const want = format === 'legacy' ? cpu.filter((t) => !t.name.endsWith('num_batches_tracked')) : cpu;
        expect(p.tensors.map((t) => t.name)).toEqual(want.map((t) => t.name));
        for (const [i, t] of p.tensors.entries()) {
          expect(t.shape, t.name).toEqual(want[i]!.shape);
          expect(t.dtype, t.name).toBe(want[i]!.dtype);
          expect(t.data, t.name).toEqual(want[i]!.data);
        }
      });
    }
  }

  it('only the storage classes of torch.cuda are accepted, nothing else from it', () => {
    const bytes = new Uint8Array(fs.readFileSync(fixture('text_encoder_cuda_py2.pth')));
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf('torch.cuda\nFloatStorage\n');
    expect(at).toBeGreaterThan(0);
    // Same length, so every offset stays valid: torch.cuda.FloatStorage → torch.cuda.set_device_.
    bytes.set(Array.from('torch.cuda\nset_device__\n', (c) => c.charCodeAt(0)), at);
    expect(() => readPth(bytes, 'evil.pth')).toThrow(/refusing global torch\.cuda\.set_device__ at byte \d+/);
  });
});

describe('integer tensors', () => {
  it('an int64 value beyond int32 is refused naming the file and the tensor (found by the fuzzer)', () => {
    const bytes = writePth([{ name: 'bn.num_batches_tracked', shape: [], data: BigInt64Array.from([2n ** 33n]) }]);
    try {
      readPth(bytes, 'big.pth');
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(AttncError);
      expect((e as AttncError).path).toBe('big.pth');
      expect((e as AttncError).message).toBe('big.pth: tensor bn.num_batches_tracked: int64 value 8589934592 does not fit in int32');
    }
  });
});
