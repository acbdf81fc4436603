/**
 * A wheel's table of contents and one small member (its METADATA), read from the zip's central
 * directory without unpacking gigabytes: the GPU setup reads the CUDA wheels TensorFlow asks for and
 * the bytes an unpack will write before it writes any. Zip64 included (wheels over 4 GiB or with
 * over 65,535 files). The big members are extracted by `unzip` (scripts/native/unpack.mjs).
 */
import * as fs from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { AttncError } from '../../runtime/util/errors.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function bad(file: string, why: string): AttncError {
  return new AttncError('ATTNC_SETUP', `${file} is not a readable wheel: ${why}`, { path: file, hint: 'download it again (a wheel is a zip file)' });
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, b, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/** Every entry of the zip's central directory. */
export function listZip(file: string): ZipEntry[] {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tailLen = Math.min(size, 22 + 65_535);
    const tail = readAt(fd, size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw bad(file, 'no end-of-central-directory record (truncated download?)');
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw bad(file, 'zip64 locator missing');
      const z64Offset = Number(tail.readBigUInt64LE(loc + 8));
      const z64 = readAt(fd, z64Offset, 56);
      if (z64.length < 56 || z64.readUInt32LE(0) !== 0x06064b50) throw bad(file, 'zip64 end record missing');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw bad(file, 'central directory beyond the end of the file');
    const cd = readAt(fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw bad(file, `central directory entry ${i} is damaged`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      if (p + 46 + nameLen + extraLen > cd.length) throw bad(file, `central directory entry ${i} runs past the directory`);
      const e: ZipEntry = {
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      // Zip64 extra field: the 8-byte values of the fields that read 0xffffffff, in this order.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = cd.readUInt16LE(x);
        const len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          if (e.size === 0xffffffff && q + 8 <= x + 4 + len) { e.size = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (e.compressedSize === 0xffffffff && q + 8 <= x + 4 + len) { e.compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (e.localHeaderOffset === 0xffffffff && q + 8 <= x + 4 + len) e.localHeaderOffset = Number(cd.readBigUInt64LE(q));
        }
        x += 4 + len;
      }
      entries.push(e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

/** One member's bytes (stored or deflated); meant for small members. */
export function readZipEntry(file: string, entry: ZipEntry, maxBytes = 16 << 20): Buffer {
  if (entry.size > maxBytes) throw bad(file, `${entry.name} is ${entry.size} bytes, more than expected`);
  const fd = fs.openSync(file, 'r');
  try {
    const head = readAt(fd, entry.localHeaderOffset, 30);
    if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50) throw bad(file, `local header of ${entry.name} is damaged`);
    const start = entry.localHeaderOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    const data = readAt(fd, start, entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: Math.max(entry.size, 1) });
    throw bad(file, `${entry.name} uses compression method ${entry.method}`);
  } catch (e) {
    if (e instanceof AttncError) throw e;
    throw bad(file, `${entry.name}: ${(e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}
