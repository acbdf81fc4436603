import * as zlib from 'node:zlib';
import { encodeJpeg } from '../../../runtime/data/images.js';
import { gradientImage } from './make-fixtures.js';

// Crafted hostile image files: small on disk, lying in their headers.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid-looking 8-bit RGB PNG declaring `w × h` pixels whose IDAT holds `rows` rows of zeros
 * (deflated: a few hundred bytes per thousand rows), i.e. a decompression bomb when `rows` = h.
 */
export function pngDeclaring(w: number, h: number, rows = 4): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(Math.min(rows, h) * (w * 3 + 1));
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

/** Marker segments of a JPEG up to its first SOS: [marker, offset, length]. */
export function jpegSegments(b: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff) {
    const m = b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    out.push([m, p, len]);
    if (m === 0xda) break;
    p += 2 + len;
  }
  return out;
}

/** A small real baseline JPEG (40 × 30). */
export function smallJpeg(): Uint8Array {
  return encodeJpeg(gradientImage(40, 30), 90);
}

/** `jpg` with its frame header (SOF0) patched to declare `w × h` (at most 65,535 each). */
export function jpegDeclaring(w: number, h: number, jpg = smallJpeg()): Uint8Array {
  const out = Uint8Array.from(jpg);
  const [, p] = jpegSegments(out).find(([m]) => m === 0xc0)!;
  out[p + 5] = h >> 8;
  out[p + 6] = h & 0xff;
  out[p + 7] = w >> 8;
  out[p + 8] = w & 0xff;
  return out;
}

/** Every header and table of `jpg`, then EOI: no scan at all (jpeg-js decodes this to flat grey). */
export function jpegWithoutScan(jpg = smallJpeg()): Uint8Array {
  const [, p] = jpegSegments(jpg).find(([m]) => m === 0xda)!;
  return Uint8Array.from([...jpg.subarray(0, p), 0xff, 0xd9]);
}

/** `jpg` cut inside its scan data, with an EOI marker appended so it still "ends" properly. */
export function jpegTruncatedScan(jpg = smallJpeg(), keep = 1 / 3): Uint8Array {
  const [, p, len] = jpegSegments(jpg).find(([m]) => m === 0xda)!;
  const start = p + 2 + len;
  return Uint8Array.from([...jpg.subarray(0, start + Math.max(1, Math.floor((jpg.length - start) * keep))), 0xff, 0xd9]);
}
