import { AttncError } from '../util/errors.js';

/** Bounds on an image file, checked from its header before anything is decoded or allocated. */
export interface ImageLimits {
  /** Width × height (default 50 megapixels: a 16,000 × 16,000 PNG would need 1 GB of RGBA). */
  maxPixels: number;
  /** Longest side in pixels (default 16,384). */
  maxSide: number;
  /** File size in bytes (default 256 MiB). */
  maxFileBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxPixels: 50_000_000,
  maxSide: 16_384,
  maxFileBytes: 256 * 2 ** 20,
});

/** The defaults with `over`'s fields replaced; a non-positive or non-integer value is a config error. */
export function imageLimits(over: Partial<ImageLimits> | undefined): ImageLimits {
  const out = { ...DEFAULT_IMAGE_LIMITS, ...over };
  for (const k of ['maxPixels', 'maxSide', 'maxFileBytes'] as const) {
    const v = out[k];
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new AttncError('ATTNC_DATA_CONFIG', `dataset config: imageLimits.${k} must be a positive integer, got ${String(v)}`);
    }
  }
  return out;
}

export interface ImageHeader {
  format: 'jpeg' | 'png';
  width: number;
  height: number;
}

function imageError(file: string, msg: string): AttncError {
  return new AttncError('ATTNC_DATA_IMAGE', `${file}: ${msg}`, { path: file });
}

export function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIG.every((v, i) => b[i] === v);
}

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number) => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** PNG: the IHDR chunk, which the format requires to come first. */
function pngHeader(b: Uint8Array, file: string): ImageHeader {
  if (b.length < 8 + 8 + 13) throw imageError(file, 'PNG is truncated (no IHDR header)');
  if (u32(b, 8) !== 13 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') {
    throw imageError(file, 'corrupt PNG (the first chunk is not a 13-byte IHDR) at byte 8');
  }
  const width = u32(b, 16);
  const height = u32(b, 20);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw imageError(file, `corrupt PNG (IHDR declares ${width} × ${height} pixels) at byte 16`);
  }
  return { format: 'png', width, height };
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * JPEG: walk the marker segments from SOI to EOI, each length checked against the file. Besides the
 * frame size (SOFn) this finds what jpeg-js would otherwise paper over with grey pixels: no scan at
 * all, a scan without entropy-coded data, scans that leave a colour component out, a missing EOI.
 */
function jpegHeader(b: Uint8Array, file: string): ImageHeader {
  let frame: { width: number; height: number; components: number[] } | undefined;
  const scanned = new Set<number>();
  let scans = 0;
  let pos = 2;
  for (;;) {
    if (pos >= b.length) throw imageError(file, 'JPEG is truncated (no end-of-image marker)');
    if (b[pos] !== 0xff) throw imageError(file, `corrupt JPEG (expected a marker at byte ${pos})`);
    const marker = b[pos + 1];
    if (marker === undefined) throw imageError(file, 'JPEG is truncated (no end-of-image marker)');
    if (marker === 0xff) { pos++; continue; } // fill byte
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { pos += 2; continue; } // no length
    if (marker < 0xc0) throw imageError(file, `corrupt JPEG (invalid marker 0xff${marker.toString(16).padStart(2, '0')} at byte ${pos})`);
    if (pos + 4 > b.length) throw imageError(file, 'JPEG is truncated (no end-of-image marker)');
    const len = u16(b, pos + 2);
    if (len < 2) throw imageError(file, `corrupt JPEG (segment length ${len} at byte ${pos + 2})`);
    const end = pos + 2 + len;
    if (end > b.length) {
      throw imageError(file, `JPEG is truncated (segment 0x${marker.toString(16)} at byte ${pos} declares ${len} bytes; the file ends at byte ${b.length})`);
    }
    if (isSof(marker)) {
      if (frame) throw imageError(file, `corrupt JPEG (a second frame header at byte ${pos})`);
      if (len < 8) throw imageError(file, `corrupt JPEG (short frame header at byte ${pos})`);
      const height = u16(b, pos + 5);
      const width = u16(b, pos + 7);
      const n = b[pos + 9]!;
      if (len < 8 + 3 * n || n === 0) throw imageError(file, `corrupt JPEG (frame header of ${n} components at byte ${pos})`);
      if (width === 0 || height === 0) throw imageError(file, `corrupt JPEG (frame declares ${width} × ${height} pixels) at byte ${pos + 5}`);
      frame = { width, height, components: Array.from({ length: n }, (_, c) => b[pos + 10 + 3 * c]!) };
    } else if (marker === 0xda) {
      if (!frame) throw imageError(file, `corrupt JPEG (scan before the frame header at byte ${pos})`);
      const n = b[pos + 4] ?? 0;
      if (n === 0 || len < 6 + 2 * n) throw imageError(file, `corrupt JPEG (scan header of ${n} components at byte ${pos})`);
      for (let c = 0; c < n; c++) scanned.add(b[pos + 5 + 2 * c]!);
      scans++;
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
      let p = end;
      for (;;) {
        p = b.indexOf(0xff, p); // native scan: this is most of a JPEG's bytes
        if (p < 0 || p + 1 >= b.length) throw imageError(file, 'JPEG is truncated (no end-of-image marker)');
        const next = b[p + 1]!;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        p += 2;
      }
      if (p === end) throw imageError(file, `corrupt JPEG (scan at byte ${pos} has no image data)`);
      if (p === end) throw imageError(file, `corrupt JPEG (scan at byte ${pos} has no image data)`);
      pos = p;
      continue;
    }
    pos = end;
  }
  if (!frame) throw imageError(file, 'corrupt JPEG (no frame header: no image size)');
  if (scans === 0) throw imageError(file, 'corrupt JPEG (no image data: the file has headers but no scan)');
  const missing = frame.components.filter((c) => !scanned.has(c));
  if (missing.length) throw imageError(file, `corrupt JPEG (no scan codes colour component${missing.length > 1 ? 's' : ''} ${missing.join(', ')})`);
  return { format: 'jpeg', width: frame.width, height: frame.height };
}

/**
 * Format and declared size of a JPEG or PNG (by magic bytes), checked against `limits` before any
 * pixel memory is allocated: a 32 KB PNG may declare 100,000 × 100,000 pixels. JPEGs are also checked
 * for structure (see jpegHeader). Everything wrong is an `ATTNC_DATA_IMAGE` naming `file`.
 */
export function inspectImage(bytes: Uint8Array, file: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): ImageHeader {
  if (bytes.length === 0) throw imageError(file, 'image file is empty');
  if (bytes.length > limits.maxFileBytes) throw imageError(file, `image file is ${bytes.length} bytes, over the limit of ${limits.maxFileBytes}`);
  const h = isJpeg(bytes) ? jpegHeader(bytes, file) : isPng(bytes) ? pngHeader(bytes, file) : undefined;
  if (!h) throw imageError(file, 'not a JPEG or PNG image (unrecognised magic bytes)');
  checkImageLimits(h, limits, file);
  return h;
}

export function checkImageLimits(h: ImageHeader, limits: ImageLimits, file: string): void {
  const side = Math.max(h.width, h.height);
  const pixels = h.width * h.height;
  if (side > limits.maxSide || pixels > limits.maxPixels) {
    throw new AttncError(
      'ATTNC_DATA_IMAGE',
      `${file}: ${h.format.toUpperCase()} declares ${h.width} × ${h.height} pixels, over the limit of ` +
        (side > limits.maxSide ? `${limits.maxSide} pixels per side` : `${(limits.maxPixels / 1e6).toFixed(1)} megapixels`),
      { path: file, hint: 'not decoded (a decompression bomb, or a huge image: shrink it, or raise imageLimits in the loader config)' },
    );
  }
}
