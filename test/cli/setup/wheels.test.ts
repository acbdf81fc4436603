import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { linuxX64, parseMetadata, parseWheelName, pick, satisfies, wheelsIn } from '../../../cli/setup/wheels.js';
import { listZip, readZipEntry } from '../../../cli/setup/zip.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-wheels-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Rewrite a plain zip as zip64: 0xffffffff sizes and offsets with the real ones in zip64 extra fields, zip64 end records. */
function asZip64(zip: Uint8Array): Buffer {
  const b = Buffer.from(zip);
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = b.readUInt16LE(eocd + 10);
  const cdOffset = b.readUInt32LE(eocd + 16);
  const parts: Buffer[] = [b.subarray(0, cdOffset)];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const head = Buffer.from(b.subarray(p, p + 46 + nameLen));
    const extra = Buffer.alloc(4 + 24);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(24)), 4);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(20)), 12);
    extra.writeBigUInt64LE(BigInt(head.readUInt32LE(42)), 20);
    head.writeUInt32LE(0xffffffff, 20);
    head.writeUInt32LE(0xffffffff, 24);
    head.writeUInt32LE(0xffffffff, 42);
    head.writeUInt16LE(extra.length, 30);
    head.writeUInt16LE(0, 32);
    parts.push(head, extra);
    p += 46 + nameLen + extraLen + commentLen;
  }
  const cdSize = parts.slice(1).reduce((s, x) => s + x.length, 0);
  const z64At = cdOffset + cdSize;
  const z64 = Buffer.alloc(56);
  z64.writeUInt32LE(0x06064b50, 0);
  z64.writeBigUInt64LE(44n, 4);
  z64.writeBigUInt64LE(BigInt(count), 24);
  z64.writeBigUInt64LE(BigInt(count), 32);
  z64.writeBigUInt64LE(BigInt(cdSize), 40);
  z64.writeBigUInt64LE(BigInt(cdOffset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(z64At), 8);
  loc.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...parts, z64, loc, end]);
}

const METADATA = `Metadata-Version: 2.1
Name: tensorflow
Version: 2.21.0
Requires-Dist: numpy>=1.26.0
Requires-Dist: h5py<3.15.0,>=3.11.0
Provides-Extra: and-cuda
Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"
Requires-Dist: nvidia-cudnn-cu12 (<10.0,>=9.3.0.75) ; extra == 'and-cuda'
Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; (sys_platform != "win32" and python_version < "3.13") and extra == "gcs-filesystem"

Requires-Dist: not-a-header; extra == "and-cuda"
`;

describe('wheel files', () => {
  it('reads the zip directory and a deflated member, plain and zip64', () => {
    const zip = zipSync({ 'tensorflow-2.21.0.dist-info/METADATA': strToU8(METADATA), 'tensorflow/libtensorflow_cc.so.2': new Uint8Array(5000).fill(7) });
    for (const [name, bytes] of [['plain.whl', Buffer.from(zip)], ['zip64.whl', asZip64(zip)]] as const) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, bytes);
      const entries = listZip(file);
      expect(entries.map((e) => [e.name, e.size])).toEqual([['tensorflow-2.21.0.dist-info/METADATA', METADATA.length], ['tensorflow/libtensorflow_cc.so.2', 5000]]);
      expect(readZipEntry(file, entries[0]!).toString('utf8')).toBe(METADATA);
      expect(readZipEntry(file, entries[1]!).equals(Buffer.alloc(5000, 7))).toBe(true);
    }
  });

  it('a truncated or foreign file is an error naming it, never a crash', () => {
    const file = path.join(tmp, 'truncated.whl');
    fs.writeFileSync(file, Buffer.from(zipSync({ a: strToU8('x') })).subarray(0, 30));
    expect(() => listZip(file)).toThrowError(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a readable wheel: no end-of-central-directory record`));
    const damaged = Buffer.from(zipSync({ a: strToU8('x') }));
    damaged.writeUInt32LE(0xdeadbeef, damaged.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    fs.writeFileSync(file, damaged);
    expect(() => listZip(file)).toThrowError(/central directory entry 0 is damaged/);
  });

  it('reads name, version and the and-cuda requirements out of METADATA (headers only)', () => {
    expect(parseMetadata(METADATA)).toEqual({
      name: 'tensorflow',
      version: '2.21.0',
      requires: [{ name: 'nvidia-cublas-cu12', spec: '<13.0,>=12.5.3.2' }, { name: 'nvidia-cudnn-cu12', spec: '<10.0,>=9.3.0.75' }],
    });
    expect(parseMetadata(METADATA.replace('Name: tensorflow', 'Name: tensorflow_cpu')).name).toBe('tensorflow-cpu');
  });

  it('parses wheel names and picks the newest wheel a requirement allows', () => {
    expect(parseWheelName('/w/nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl')).toEqual({ file: '/w/nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl', name: 'nvidia-cudnn-cu12', version: '9.3.0.75', platform: 'manylinux2014_x86_64' });
    expect(parseWheelName('tensorflow-2.21.0-1-cp311-cp311-manylinux_2_27_x86_64.whl')?.version).toBe('2.21.0');
    expect(parseWheelName('README.md')).toBeNull();
    expect(linuxX64(parseWheelName('nvidia_nccl_cu12-2.27.7-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl')!)).toBe(true);
    expect(linuxX64(parseWheelName('nvidia_nccl_cu12-2.27.7-py3-none-manylinux2014_aarch64.whl')!)).toBe(false);
    expect(linuxX64(parseWheelName('tensorflow-2.21.0-cp311-cp311-macosx_12_0_arm64.whl')!)).toBe(false);
    const dir = path.join(tmp, 'folder');
    fs.mkdirSync(dir);
    for (const f of ['nvidia_cudnn_cu12-9.1.0.70-py3-none-manylinux2014_x86_64.whl', 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl',
      'nvidia_cudnn_cu12-9.10.2.21-py3-none-manylinux_2_27_x86_64.whl', 'nvidia_cudnn_cu12-10.0.0.1-py3-none-manylinux_2_27_x86_64.whl', 'notes.txt']) fs.writeFileSync(path.join(dir, f), '');
    const wheels = wheelsIn(dir);
    expect(wheels).toHaveLength(4);
    expect(pick(wheels, { name: 'nvidia-cudnn-cu12', spec: '<10.0,>=9.3.0.75' })?.version).toBe('9.10.2.21');
    expect(pick(wheels, { name: 'nvidia-cudnn-cu12', spec: '==9.1.0.70' })?.version).toBe('9.1.0.70');
    expect(pick(wheels, { name: 'nvidia-cublas-cu12', spec: '' })).toBeUndefined();
  });

  it('compares versions as pip does for release numbers', () => {
    expect(satisfies('12.5.3.2', '<13.0,>=12.5.3.2')).toBe(true);
    expect(satisfies('12.5.3.1', '<13.0,>=12.5.3.2')).toBe(false);
    expect(satisfies('13.0', '<13.0')).toBe(false);
    expect(satisfies('2.27.7.post1', '>=2.27.7')).toBe(true);
    expect(satisfies('2.21.0', '==2.21.*')).toBe(true);
    expect(satisfies('2.22.0', '==2.21.*')).toBe(false);
    expect(satisfies('2.21.3', '~=2.21.0')).toBe(true);
    expect(satisfies('2.22.0', '~=2.21.0')).toBe(false);
    expect(satisfies('9.3.0', '!=9.3.0')).toBe(false);
    expect(satisfies('1.0', 'bogus')).toBe(false);
  });
});
