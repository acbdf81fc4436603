import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { AttncError } from '../util/errors.js';
import { DEFAULT_IMAGE_LIMITS, inspectImage } from './image-header.js';
import type { ImageLimits } from './image-header.js';
import type { Rng } from '../util/rng.js';

/** 8-bit RGB, row-major HWC: pixel (x, y) channel c is `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Bird bounding box from CUB `bounding_boxes.txt`: x, y, width, height in pixels. */
export type BBox = readonly [number, number, number, number];

export { isJpeg, isPng } from './image-header.js';

function imageError(file: string, msg: string, cause?: unknown): AttncError {
  return new AttncError('ATTNC_DATA_IMAGE', `${file}: ${msg}`, { path: file, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Decode a JPEG or PNG (chosen by magic bytes, not by file name) to RGB. Grey, CMYK and palette
 * images are converted; alpha is dropped (like PIL's `convert('RGB')`). The declared size is checked
 * against `limits` first (inspectImage), so nothing is allocated for a decompression bomb. A
 * truncated or corrupt file is an `AttncError` (`ATTNC_DATA_IMAGE`) naming `file`, never a partly
 * grey image.
 */
export function decodeImage(bytes: Uint8Array, file: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): RgbImage {
  const header = inspectImage(bytes, file, limits);
  if (header.format === 'jpeg') {
    try {
      const layout = jpegLayout(bytes);
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxResolutionInMP: limits.maxPixels / 1e6,
        // jpeg-js counts its coefficient planes and output against this; ~16 bytes per pixel is ample.
        maxMemoryUsageInMB: Math.ceil((limits.maxPixels * 16) / 2 ** 20) + 64,
        ...(layout ? { colorTransform: false } : {}),
      });
      if (img.width !== header.width || img.height !== header.height) throw new Error(`decoded ${img.width} × ${img.height}, header says ${header.width} × ${header.height}`);
      if (layout) return libjpegYccToRgb(img.data, img.width, img.height, layout.sx, layout.sy);
      return { data: img.data, width: img.width, height: img.height };
    } catch (e) {
      throw imageError(file, `corrupt JPEG (${e instanceof Error ? e.message : String(e)})`, e);
    }
  }
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw imageError(file, `corrupt PNG (${e instanceof Error ? e.message : String(e)})`, e);
  }
  const n = png.width * png.height;
  if (png.width !== header.width || png.height !== header.height || png.data.length < n * 4) throw imageError(file, 'corrupt PNG (pixel data does not match the header)');
  // pngjs always hands back 8-bit RGBA.
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = png.data[i * 4]!;
    out[i * 3 + 1] = png.data[i * 4 + 1]!;
    out[i * 3 + 2] = png.data[i * 4 + 2]!;
  }
  return { data: out, width: png.width, height: png.height };
}

/**
 * For a YCbCr JPEG whose two chroma planes share one subsampling (4:4:4, 4:2:2, 4:2:0, 4:4:0), the
 * chroma step per axis; `undefined` for anything else (grey, CMYK, Adobe RGB, odd samplings), which
 * jpeg-js then converts itself.
 */
function jpegLayout(b: Uint8Array): { sx: number; sy: number } | undefined {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return undefined;
    const marker = b[pos + 1]!;
    if (marker === 0xff) { pos++; continue; }
    const len = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (marker === 0xee) return undefined; // Adobe APP14: colour transform chosen by the file
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const n = b[pos + 9];
      if (n !== 3 || pos + 10 + 9 > b.length) return undefined;
      const hv = [0, 1, 2].map((c) => b[pos + 10 + c * 3 + 1]!);
      const h = hv.map((v) => v >> 4);
      const v = hv.map((x) => x & 15);
      if (h[1] !== h[2] || v[1] !== v[2] || h[0]! % h[1]! || v[0]! % v[1]!) return undefined;
      const sx = h[0]! / h[1]!;
      const sy = v[0]! / v[1]!;
      return sx <= 2 && sy <= 2 ? { sx, sy } : undefined;
    }
    if (marker === 0xda) return undefined;
    pos += 2 + len;
  }
  return undefined;
}

const FIX = (x: number) => Math.round(x * 65536);
const ONE_HALF = 1 << 15;
// libjpeg's jdcolor.c tables (YCbCr → RGB in 16-bit fixed point).
const CR_R = new Int32Array(256), CB_B = new Int32Array(256), CR_G = new Int32Array(256), CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (FIX(1.402) * x + ONE_HALF) >> 16;
  CB_B[i] = (FIX(1.772) * x + ONE_HALF) >> 16;
  CR_G[i] = -FIX(0.71414) * x;
  CB_G[i] = -FIX(0.34414) * x + ONE_HALF;
}

/**
 * Finish a JPEG decode the way libjpeg(-turbo), and so PIL, does: jpeg-js replicates chroma samples
 * (nearest neighbour); libjpeg interpolates them ("fancy upsampling", a 3:1 triangle filter) and
 * converts colour with integer tables. `ycc` is jpeg-js's output without colour transform, i.e. Y and
 * nearest-upsampled Cb/Cr per pixel, from which the subsampled chroma planes are read back exactly.
 */
function libjpegYccToRgb(ycc: Uint8Array, w: number, h: number, sx: number, sy: number): RgbImage {
  const cw = Math.ceil(w / sx), ch = Math.ceil(h / sy);
  const up = (c: number): Uint8Array => {
    const plane = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) plane[y * cw + x] = ycc[((y * sy) * w + x * sx) * 3 + c]!;
    return upsampleFancy(plane, cw, ch, sx, sy, w, h);
  };
  const cb = up(1), cr = up(2);
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const y = ycc[i * 3]!, b = cb[i]!, r = cr[i]!;
    out[i * 3] = clampByte(y + CR_R[r]!);
    out[i * 3 + 1] = clampByte(y + ((CB_G[b]! + CR_G[r]!) >> 16));
    out[i * 3 + 2] = clampByte(y + CB_B[b]!);
  }
  return { data: out, width: w, height: h };
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** libjpeg-turbo's h2v1 / h1v2 / h2v2 fancy upsampling (jdsample.c), edges replicated; cut to w × h. */
function upsampleFancy(p: Uint8Array, cw: number, ch: number, sx: number, sy: number, w: number, h: number): Uint8Array {
  // Horizontal pass (h2v2 folds the vertical weights into column sums first, as libjpeg does).
  const out = new Uint8Array(w * h);
  if (sx === 1 && sy === 1) return p.slice(0, w * h);
  const ow = cw * sx;
  const row = new Int32Array(ow);
  for (let oy = 0; oy < h; oy++) {
    const cy = sy === 2 ? oy >> 1 : oy;
    // Rows combined for this output row: the nearer input row ×3 and the other neighbour ×1.
    let sums: (x: number) => number;
    let vScale: number;
    if (sy === 2) {
      const other = oy & 1 ? Math.min(ch - 1, cy + 1) : Math.max(0, cy - 1);
      const r0 = cy * cw, r1 = other * cw;
      sums = (x) => p[r0 + x]! * 3 + p[r1 + x]!;
      vScale = 4;
    } else {
      const r0 = cy * cw;
      sums = (x) => p[r0 + x]!;
      vScale = 1;
    }
    if (sx === 2) {
      if (sy === 2) {
        // h2v2: ((3·this + neighbour) column sums) with biases 8 / 7, >> 4.
        if (cw === 1) { const s = sums(0); row[0] = (s * 4 + 8) >> 4; row[1] = (s * 4 + 7) >> 4; }
        else {
          let last = sums(0), cur = last, next = sums(1);
          row[0] = (cur * 4 + 8) >> 4;
          row[1] = (cur * 3 + next + 7) >> 4;
          for (let x = 1; x < cw - 1; x++) {
            last = cur; cur = next; next = sums(x + 1);
            row[2 * x] = (cur * 3 + last + 8) >> 4;
            row[2 * x + 1] = (cur * 3 + next + 7) >> 4;
          }
          last = cur; cur = next;
          row[2 * (cw - 1)] = (cur * 3 + last + 8) >> 4;
          row[2 * (cw - 1) + 1] = (cur * 4 + 7) >> 4;
        }
      } else {
        // h2v1: (3·this + neighbour + 1 or 2) >> 2.
        if (cw === 1) { row[0] = sums(0); row[1] = sums(0); }
        else {
          row[0] = sums(0);
          row[1] = (sums(0) * 3 + sums(1) + 2) >> 2;
          for (let x = 1; x < cw - 1; x++) {
            const v = sums(x) * 3;
            row[2 * x] = (v + sums(x - 1) + 1) >> 2;
            row[2 * x + 1] = (v + sums(x + 1) + 2) >> 2;
          }
          row[2 * (cw - 1)] = (sums(cw - 1) * 3 + sums(cw - 2) + 1) >> 2;
          row[2 * (cw - 1) + 1] = sums(cw - 1);
        }
      }
    } else {
      // h1v2: (3·this + neighbour + 1 or 2) >> 2, bias by output row parity.
      const bias = oy & 1 ? 2 : 1;
      for (let x = 0; x < cw; x++) row[x] = vScale === 4 ? (sums(x) + bias) >> 2 : sums(x);
    }
    out.set(row.subarray(0, w), oy * w);
  }
  return out;
}

/** Encode RGB as PNG (fixtures, debugging). */
export function encodePng(img: RgbImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.width * img.height; i++) {
    png.data[i * 4] = img.data[i * 3]!;
    png.data[i * 4 + 1] = img.data[i * 3 + 1]!;
    png.data[i * 4 + 2] = img.data[i * 3 + 2]!;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** Encode RGB as baseline JPEG (fixtures, debugging). */
export function encodeJpeg(img: RgbImage, quality = 90): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba[i * 4] = img.data[i * 3]!;
    rgba[i * 4 + 1] = img.data[i * 3 + 1]!;
    rgba[i * 4 + 2] = img.data[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data;
}

/** Crop the box [x1, x2) × [y1, y2) (already inside the image). */
export function crop(img: RgbImage, x1: number, y1: number, x2: number, y2: number): RgbImage {
  const w = x2 - x1;
  const h = y2 - y1;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y + y1) * img.width + x1) * 3;
    out.set(img.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { data: out, width: w, height: h };
}

/**
 * The CUB crop box of `get_imgs` (datasets.py:59-88): centred on the bbox centre, half-side
 * r = int(0.75·max(w, h)), clipped to the image (so it can be non-square near borders).
 * Returns [x1, y1, x2, y2].
 */
export function bboxCropBox(bbox: BBox, width: number, height: number): [number, number, number, number] {
  const [bx, by, bw, bh] = bbox;
  const r = Math.trunc(Math.max(bw, bh) * 0.75);
  const cx = Math.trunc((2 * bx + bw) / 2);
  const cy = Math.trunc((2 * by + bh) / 2);
  return [Math.max(0, cx - r), Math.max(0, cy - r), Math.min(width, cx + r), Math.min(height, cy + r)];
}

export function bboxCrop(img: RgbImage, bbox: BBox, file: string): RgbImage {
  const [x1, y1, x2, y2] = bboxCropBox(bbox, img.width, img.height);
  if (x2 <= x1 || y2 <= y1) {
    throw imageError(file, `bounding box [${bbox.join(', ')}] lies outside the ${img.width}×${img.height} image`);
  }
  return crop(img, x1, y1, x2, y2);
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Pillow's resampling coefficients for the bilinear (triangle) filter, widened when shrinking. */
function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    const n = hi - lo;
    for (let k = 0; k < n; k++) {
      const x = Math.abs((k + lo - center + 0.5) / filterScale);
      const w = x < 1 ? 1 - x : 0;
      weights[o * maxTaps + k] = w;
      sum += w;
    }
    if (sum > 0) for (let k = 0; k < n; k++) weights[o * maxTaps + k]! /= sum;
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resize like PIL `Image.resize(size, BILINEAR)`: separable triangle filter whose support grows
 * with the shrink factor (antialiased downscaling), rounded to 8 bits after each pass as Pillow
 * does. Values can differ from Pillow by ±1 (Pillow uses fixed-point weights).
 */
export function resizeBilinear(img: RgbImage, outW: number, outH: number): RgbImage {
  if (outW === img.width && outH === img.height) return img;
  return resizeRegion(img, outW, outH, 0, 0, outW, outH);
}

/**
 * The window [x0, x0+w) × [y0, y0+h) of `resizeBilinear(img, outW, outH)`, computing only the
 * pixels (and source rows) that window needs: resize-then-crop without resizing what is cut away.
 */
export function resizeRegion(img: RgbImage, outW: number, outH: number, x0: number, y0: number, w: number, h: number): RgbImage {
  const { width: inW, height: inH } = img;
  const tx = outW === inW ? undefined : bilinearTaps(inW, outW);
  const ty = outH === inH ? undefined : bilinearTaps(inH, outH);
  // Source rows the vertical pass reads.
  const r0 = ty ? ty.start[y0]! : y0;
  const r1 = ty ? ty.start[y0 + h - 1]! + ty.count[y0 + h - 1]! : y0 + h;
  const rows = r1 - r0;
  const stride = w * 3;
  let tmp: Uint8Array; // rows r0..r1 of the horizontally resized image, window columns only
  if (tx) {
    tmp = new Uint8Array(rows * stride);
    for (let y = 0; y < rows; y++) {
      const row = (y + r0) * inW * 3;
      for (let x = 0; x < w; x++) {
        const ox = x + x0;
        let r = 0, g = 0, b = 0;
        const base = ox * tx.maxTaps;
        let p = row + tx.start[ox]! * 3;
        const n = tx.count[ox]!;
        for (let k = 0; k < n; k++, p += 3) {
          const wt = tx.weights[base + k]!;
          r += img.data[p]! * wt;
          g += img.data[p + 1]! * wt;
          b += img.data[p + 2]! * wt;
        }
        const o = (y * w + x) * 3;
        tmp[o] = clamp8(r);
        tmp[o + 1] = clamp8(g);
        tmp[o + 2] = clamp8(b);
      }
    }
  } else {
    tmp = crop(img, x0, r0, x0 + w, r1).data;
  }
  if (!ty) return { data: tmp, width: w, height: h };
  const out = new Uint8Array(h * stride);
  const acc = new Float64Array(stride);
  for (let y = 0; y < h; y++) {
    const oy = y + y0;
    const base = oy * ty.maxTaps;
    acc.fill(0);
    const n = ty.count[oy]!;
    for (let k = 0; k < n; k++) {
      const wt = ty.weights[base + k]!;
      const src = (ty.start[oy]! + k - r0) * stride;
      for (let i = 0; i < stride; i++) acc[i]! += tmp[src + i]! * wt;
    }
    const o = y * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clamp8(acc[i]!);
  }
  return { data: out, width: w, height: h };
}

function clamp8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * torchvision's old `transforms.Scale(size)` (= `Resize(int)`): shorter side → `size`, the other
 * side int(size · long / short); returned unchanged if the shorter side already equals `size`.
 */
export function resizeShorterSide(img: RgbImage, size: number): RgbImage {
  const [w, h] = shorterSideSize(img.width, img.height, size);
  return w === img.width && h === img.height ? img : resizeBilinear(img, w, h);
}

/** Output size of `resizeShorterSide`. */
export function shorterSideSize(w: number, h: number, size: number): [number, number] {
  if ((w <= h && w === size) || (h <= w && h === size)) return [w, h];
  if (w < h) return [size, Math.trunc((size * h) / w)];
  return [Math.trunc((size * w) / h), size];
}

export function flipHorizontal(img: RgbImage): RgbImage {
  const { width: w, height: h } = img;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = (y * w + (w - 1 - x)) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** Where a transform cropped and whether it flipped (tests and debugging). */
export interface TransformInfo {
  resizedWidth: number;
  resizedHeight: number;
  cropX: number;
  cropY: number;
  flipped: boolean;
}

/** Which random parts of the transform run: `true` both, `false` neither (centre crop, no flip). */
export type Augment = boolean | { readonly randomCrop: boolean; readonly flip: boolean };

/** AttnGAN's resize ratio before the crop (main.py: `int(imsize * 76 / 64)`). */
export const DEFAULT_RESIZE_RATIO = 76 / 64;

/**
 * AttnGAN's image transform (main.py:122-126) for a final size `imsize`: shorter side →
 * int(imsize·resizeRatio) (76/64 by default), then with `augment` a random `imsize` crop and a random
 * horizontal flip (p = 0.5, drawn from `rng`); without it a centre crop and no flip.
 */
export function transformImage(
  img: RgbImage,
  imsize: number,
  augment: Augment,
  rng: Rng,
  resizeRatio: number = DEFAULT_RESIZE_RATIO,
): { image: RgbImage; info: TransformInfo } {
  const randomCrop = typeof augment === 'boolean' ? augment : augment.randomCrop;
  const randomFlip = typeof augment === 'boolean' ? augment : augment.flip;
  const [w, h] = shorterSideSize(img.width, img.height, Math.trunc(imsize * resizeRatio));
  let cropX: number, cropY: number;
  if (randomCrop) {
    // torchvision RandomCrop draws the row first: i = randint(0, h - th), j = randint(0, w - tw).
    cropY = rng.int(h - imsize + 1);
    cropX = rng.int(w - imsize + 1);
  } else {
    cropY = Math.round((h - imsize) / 2);
    cropX = Math.round((w - imsize) / 2);
  }
  let image =
    w === img.width && h === img.height
      ? cropX === 0 && cropY === 0 && w === imsize && h === imsize
        ? img
        : crop(img, cropX, cropY, cropX + imsize, cropY + imsize)
      : resizeRegion(img, w, h, cropX, cropY, imsize, imsize);
  const flipped = randomFlip && rng.chance(0.5);
  if (flipped) image = flipHorizontal(image);
  return { image, info: { resizedWidth: w, resizedHeight: h, cropX, cropY, flipped } };
}

/**
 * The multi-resolution pyramid (datasets.py:77-86): every size below the final one is the final
 * (square) image resized to that size; the final level is the image itself.
 */
export function pyramid(img: RgbImage, sizes: readonly number[]): RgbImage[] {
  const last = sizes[sizes.length - 1]!;
  return sizes.map((s) => (s === last ? img : resizeShorterSide(img, s)));
}

/** Write `img` into `out` at `offset` as float in [−1, 1] (ToTensor + Normalize(0.5, 0.5)). */
export function toSignedUnit(img: RgbImage, out: Float32Array, offset: number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) out[offset + i] = d[i]! / 127.5 - 1;
}
