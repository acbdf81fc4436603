import * as fs from 'node:fs';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { MAX_PTH_FILE_BYTES, readPth, readPthFile } from '../../../runtime/io/pth.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { fixture } from './parity-helpers.js';

// Hostile .pth files (tools/make_pth_malicious.py made the first four with torch.save itself) and
// hand-built containers: every one is refused with an AttncError that names the file, what was
// refused and where, before anything is called or any large buffer is allocated.

function refusal(fn: () => unknown): AttncError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof AttncError)) throw e;
    return e;
  }
  throw new Error('expected the file to be refused');
}

const malicious = (name: string) => fixture(path.join('malicious', name));
const PWNED = '/tmp/attnc-pwned';

describe('.pth reader refuses what a state_dict does not need', () => {
  for (const name of ['os_system.pth', 'os_system_legacy.pth']) {
    it(`${name}: os.system via GLOBAL + REDUCE is refused, naming it, the file and the byte offset`, () => {
      fs.rmSync(PWNED, { force: true });
      const e = refusal(() => readPthFile(malicious(name)));
      expect(e.message).toMatch(/refusing global posix\.system at byte \d+/);
      expect(e.message).toContain(malicious(name));
      expect(e.path).toBe(malicious(name));
      if (!name.includes('legacy')) expect(e.message).toMatch(/os_system\/data\.pkl: refusing/); // offsets are within the zip entry
      expect(fs.existsSync(PWNED)).toBe(false);
    });
  }

  it('a pickled whole module (torch.save(model)) is refused with the state_dict hint', () => {
    const e = refusal(() => readPthFile(malicious('whole_module.pth')));
    expect(e.message).toMatch(/refusing global torch\.nn\.modules\.linear\.Linear at byte \d+/);
    expect(e.hint).toMatch(/state_dict/);
  });

  it('numpy arrays are refused (numpy.core.multiarray._reconstruct)', () => {
    expect(refusal(() => readPthFile(malicious('numpy_array.pth'))).message).toMatch(/refusing global numpy\./);
  });

  it('a wrapper dict ({"state_dict": …, "epoch": 3}) is named, not half-read', () => {
    // Hand-built: OrderedDict with a non-tensor value.
    const pkl = Uint8Array.from([
      0x80, 0x02, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52,
      0x58, ...u32(5), ...ascii('epoch'), 0x4b, 3, 0x73, 0x2e,
    ]);
    const bytes = zipSync({ 'archive/data.pkl': [pkl, { level: 0 }], 'archive/version': [ascii('3\n'), { level: 0 }] });
    expect(refusal(() => readPth(bytes, 'wrapped.pth')).message).toMatch(/entries epoch are not tensors/);
  });
});

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

interface RawTensor {
  name: string;
  key: string;
  numel: number;
  shape: number[];
  stride: number[];
  offset?: number;
}

/** A state_dict pickle as torch writes it, with storage keys, sizes, strides and offsets as given. */
function statePickle(tensors: RawTensor[]): Uint8Array {
  const b: number[] = [0x80, 0x02, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52];
  const str = (t: string) => b.push(0x58, ...u32(t.length), ...ascii(t));
  const int = (v: number) => (v < 2 ** 31 ? b.push(0x4a, ...u32(v)) : b.push(0x8a, 8, ...u32(v % 2 ** 32), ...u32(Math.floor(v / 2 ** 32))));
  const tuple = (xs: number[]) => { b.push(0x28); xs.forEach(int); b.push(0x74); };
  for (const t of tensors) {
    b.push(0x28);
    str(t.name);
    b.push(0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'), 0x28, 0x28);
    str('storage');
    b.push(0x63, ...ascii('torch\nFloatStorage\n'));
    str(t.key);
    str('cpu');
    int(t.numel);
    b.push(0x74, 0x51);
    int(t.offset ?? 0);
    tuple(t.shape);
    tuple(t.stride);
    b.push(0x89, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52, 0x74, 0x52, 0x75);
  }
  b.push(0x2e);
  return Uint8Array.from(b);
}

/** Sets bit 0 (encrypted) of one entry's flags in its central-directory or local header. */
function setEncrypted(zip: Uint8Array, name: string, where: 'central' | 'local'): void {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const sig = where === 'central' ? 0x02014b50 : 0x04034b50;
  const [flagAt, nameLenAt, nameAt] = where === 'central' ? [8, 28, 46] : [6, 26, 30];
  for (let p = 0; p + nameAt <= zip.length; p++) {
    if (v.getUint32(p, true) !== sig) continue;
    const n = v.getUint16(p + nameLenAt, true);
    if (new TextDecoder().decode(zip.subarray(p + nameAt, p + nameAt + n)) !== name) continue;
    v.setUint16(p + flagAt, v.getUint16(p + flagAt, true) | 1, true);
    return;
  }
  throw new Error(`no ${where} header for ${name}`);
}

/** A zip .pth holding `statePickle(tensors)` and the given storage entries. */
function fakeZip(tensors: RawTensor[], storages: Record<string, number>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = { 'archive/data.pkl': [statePickle(tensors), { level: 0 }] };
  for (const [key, bytes] of Object.entries(storages)) files[`archive/data/${key}`] = [new Uint8Array(bytes), { level: 0 }];
  files['archive/version'] = [ascii('3\n'), { level: 0 }];
  return zipSync(files);
}

describe('.pth reader never allocates without bound', () => {
  it('a storage declaring 2^40 elements in a 300-byte file is refused before allocating', () => {
    const bomb = fakeZip([{ name: 'w', key: '0', numel: 2 ** 40, shape: [2 ** 20, 2 ** 20], stride: [2 ** 20, 1] }], { 0: 16 });
    expect(bomb.length).toBeLessThan(1000);
    const e = refusal(() => readPth(bomb, 'bomb.pth'));
    expect(e.message).toMatch(/storage 0 declares 1099511627776 elements .* more than the limit/);
  });

  it('a storage whose zip entry is smaller than declared is refused', () => {
    const short = fakeZip([{ name: 'w', key: '0', numel: 64, shape: [64], stride: [1] }], { 0: 16 });
    expect(refusal(() => readPth(short, 'short.pth')).message).toMatch(/has 16 bytes, its storage declares 256/);
  });

  it('a tensor with more elements than its storage (an expanded, stride-0 view) is refused', () => {
    const expand = fakeZip([{ name: 'w', key: '0', numel: 1, shape: [100000, 100000], stride: [0, 0] }], { 0: 4 });
    expect(refusal(() => readPth(expand, 'expand.pth')).message).toMatch(/more elements than its storage/);
  });

  it('a view reaching past its storage is refused', () => {
    const past = fakeZip([{ name: 'w', key: '0', numel: 8, shape: [2, 4], stride: [5, 1] }], { 0: 32 });
    expect(refusal(() => readPth(past, 'past.pth')).message).toMatch(/reaches element 8 of a storage of 8/);
  });

  it('many tensors sharing one storage cannot exceed the total budget', () => {
    // 1000 tensors, each a full non-contiguous view of one 1 M-element storage: 4 GB if materialised.
    const tensors = Array.from({ length: 1000 }, (_, i) => ({ name: `t${i}`, key: '0', numel: 2 ** 20, shape: [1024, 1024], stride: [1, 1024] }));
    const shared = fakeZip(tensors, { 0: 4 * 2 ** 20 });
    expect(refusal(() => readPth(shared, 'shared.pth')).message).toMatch(/the tensors need more than \d+ bytes/);
  });

  it('a legacy file whose storage claims more bytes than the file holds is refused', () => {
    const bytes = new Uint8Array(fs.readFileSync(fixture('text_encoder_legacy.pth')));
    const e = refusal(() => readPth(bytes.subarray(0, bytes.length - 100), 'cut_legacy.pth'));
    expect(e.message).toMatch(/truncated: storage \S+ at byte \d+ needs \d+ bytes/);
  });

  it('an entry with the encryption flag set is refused by name, in the central or the local header', () => {
    for (const where of ['central', 'local'] as const) {
      const bytes = fakeZip([{ name: 'w', key: '0', numel: 4, shape: [4], stride: [1] }], { 0: 16 });
      setEncrypted(bytes, 'archive/data/0', where);
      const e = refusal(() => readPth(bytes, 'locked.pth'));
      expect(e.message, where).toBe('locked.pth: entry archive/data/0 is encrypted');
    }
  });

  it('zip entries must stay inside the archive folder', () => {
    for (const bad of ['archive/../../etc/passwd', '/abs/data.pkl', 'archive\\..\\x', 'other/data/0']) {
      const files: Record<string, [Uint8Array, { level: 0 }]> = {
        'archive/data.pkl': [statePickle([]), { level: 0 }],
        [bad]: [new Uint8Array(4), { level: 0 }],
      };
      const e = refusal(() => readPth(zipSync(files), 'escape.pth'));
      expect(e.message).toMatch(/not a plain path inside the archive|outside the checkpoint folder/);
    }
  });
});

// Seeded mutation fuzzing of both formats: the `.pth` entry of test/fuzz/readers.ts (npm test runs 25
// cases; `npm run bench -- fuzz` runs 2,000, bench/README.md).

describe('.pth files are read through the bounded reader (regular files only, size known first)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-pth-bounded-'));

  it('a directory, /dev/zero and a FIFO are refused at once, naming the path', () => {
    const fifo = path.join(dir, 'weights.fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: Array<[string, string]> = [
      [dir, `${dir}: weights file is a directory`],
      ['/dev/zero', '/dev/zero: weights file is not a regular file (a device, pipe or socket)'],
      [fifo, `${fifo}: weights file is not a regular file (a device, pipe or socket)`],
      [path.join(dir, 'nope.pth'), `${path.join(dir, 'nope.pth')}: weights file not found`],
    ];
    for (const [file, message] of cases) {
      const e = refusal(() => readPthFile(file));
      expect(e.message).toBe(message);
      expect(e.code).toBe('ATTNC_IO_READ');
      expect(e.path).toBe(file);
    }
  });

  it('a file over the size bound is refused from its size alone (a sparse file: nothing is read)', () => {
    const big = path.join(dir, 'huge.pth');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, MAX_PTH_FILE_BYTES + 1);
    const e = refusal(() => readPthFile(big));
    expect(e.message).toBe(`${big}: weights file is ${MAX_PTH_FILE_BYTES + 1} bytes, over the limit of ${MAX_PTH_FILE_BYTES}`);
    expect(e.hint).toMatch(/larger than any AttnGAN network/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
