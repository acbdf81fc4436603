import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { RgbImage } from '../data/images.js';
import { FONT_FAMILY, ensureFont } from './font.js';

/**
 * Pictures for `attnc sample` / `attnc eval`: generated images as PNG, the paper's attention
 * figure (the image, then one panel per word with its attention map blended over the image and the
 * word printed under it; docs/original.md §7), and labelled grids. Text is drawn by Skia through
 * @napi-rs/canvas with DejaVu Sans from the dejavu-fonts-ttf package, so no system font is needed.
 */
/** Generated images [B, H, W, 3] in [−1, 1] (already read back) → 8-bit RGB, like the original's (x + 1) · 127.5. */
export function toRgbImages(values: Float32Array | Int32Array | Uint8Array, shape: readonly number[]): RgbImage[] {
  const [B, H, W] = shape as [number, number, number];
  const per = H * W * 3;
  return Array.from({ length: B }, (_, b) => {
    const data = new Uint8Array(per);
    for (let i = 0; i < per; i++) data[i] = Math.max(0, Math.min(255, Math.round((Number(values[b * per + i]!) + 1) * 127.5)));
    return { data, width: W, height: H };
  });
}

/** Bilinear resize (half-pixel centres) of a one-channel map. */
function resizeMap(src: Float32Array, h: number, w: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / size - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / size - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = sx - x0;
      const top = src[y0 * w + x0]! * (1 - fx) + src[y0 * w + x1]! * fx;
      const bot = src[y1 * w + x0]! * (1 - fx) + src[y1 * w + x1]! * fx;
      out[y * size + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

function resizeRgb(img: RgbImage, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let c = 0; c < 3; c++) {
    const ch = new Float32Array(img.width * img.height);
    for (let i = 0; i < ch.length; i++) ch[i] = img.data[i * 3 + c]!;
    const r = resizeMap(ch, img.height, img.width, size);
    for (let i = 0; i < r.length; i++) out[i * 3 + c] = Math.round(r[i]!);
  }
  return out;
}

function putRgb(ctx: SKRSContext2D, rgb: Uint8Array, size: number, x: number, y: number): void {
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    img.data[i * 4] = rgb[i * 3]!;
    img.data[i * 4 + 1] = rgb[i * 3 + 1]!;
    img.data[i * 4 + 2] = rgb[i * 3 + 2]!;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, x, y);
}

function label(ctx: SKRSContext2D, text: string, cx: number, top: number, maxWidth: number, px: number): void {
  ctx.fillStyle = '#111';
  ctx.font = `${px}px "${FONT_FAMILY}"`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(text, cx, top, maxWidth);
}

export interface AttentionFigureInput {
  image: RgbImage;
  /** Attention maps [h, w, T] (HWC, as the generator returns them); only the first `words.length` channels are shown. */
  maps: Float32Array;
  h: number;
  w: number;
  /** Channels in `maps` (T of the batch; ≥ words.length). */
  channels: number;
  words: readonly string[];
}

export interface FigureOptions {
  /** Side of each panel in pixels (default 128). */
  panel?: number;
  /** Blend weight of the attention map over the image (default 0.7, the original's 180/255). */
  alpha?: number;
}

/**
 * The paper's attention figure as a PNG: [image | word 1 | word 2 | …], each word panel the map
 * up-sampled, min–max normalised per word (a constant map shows as all dark, never NaN — the
 * original's issue #80) and blended over the image in white, the word printed under it.
 */
export function attentionFigure(input: AttentionFigureInput, opts: FigureOptions = {}): Buffer {
  ensureFont();
  const panel = opts.panel ?? 128;
  const alpha = opts.alpha ?? 180 / 255;
  const { h, w, channels, words } = input;
  if (input.maps.length !== h * w * channels) throw new RangeError(`attentionFigure: ${input.maps.length} values is not ${h}×${w}×${channels}`);
  if (words.length > channels) throw new RangeError(`attentionFigure: ${words.length} words but ${channels} attention channels`);
  const gap = 4;
  const labelH = Math.max(18, Math.round(panel * 0.16));
  const width = (panel + gap) * (1 + words.length) - gap;
  const canvas = createCanvas(width, panel + labelH + 4);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const base = resizeRgb(input.image, panel);
  putRgb(ctx, base, panel, 0, 0);
  label(ctx, '(image)', panel / 2, panel + 3, panel, Math.round(labelH * 0.7));
  words.forEach((word, t) => {
    const m = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) m[i] = input.maps[i * channels + t]!;
    const up = resizeMap(m, h, w, panel);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of up) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const range = hi - lo > 1e-12 && Number.isFinite(hi - lo) ? hi - lo : 0;
    const out = new Uint8Array(panel * panel * 3);
    for (let i = 0; i < panel * panel; i++) {
      const a = range > 0 ? (up[i]! - lo) / range : 0;
      const v = 255 * a;
      for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((1 - alpha) * base[i * 3 + c]! + alpha * v);
    }
    const x = (panel + gap) * (t + 1);
    putRgb(ctx, out, panel, x, 0);
    label(ctx, word, x + panel / 2, panel + 3, panel, Math.round(labelH * 0.8));
  });
  return canvas.toBuffer('image/png');
}

export interface GridCell {
  image: RgbImage;
  /** Printed under the image (wrapped to two lines at most). */
  caption?: string;
}

/** Images in a grid with optional captions under each, as a PNG (report example grids). */
export function labelledGrid(cells: readonly GridCell[], opts: { cols?: number; cell?: number; title?: string } = {}): Buffer {
  ensureFont();
  const cols = Math.max(1, Math.min(opts.cols ?? 6, cells.length));
  const cell = opts.cell ?? 128;
  const rows = Math.ceil(cells.length / cols);
  const textH = cells.some((c) => c.caption) ? 34 : 0;
  const titleH = opts.title ? 26 : 0;
  const gap = 6;
  const canvas = createCanvas(cols * (cell + gap) + gap, titleH + rows * (cell + textH + gap) + gap);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (opts.title) label(ctx, opts.title, canvas.width / 2, 5, canvas.width - 10, 16);
  cells.forEach((c, i) => {
    const x = gap + (i % cols) * (cell + gap);
    const y = titleH + gap + Math.floor(i / cols) * (cell + textH + gap);
    putRgb(ctx, resizeRgb(c.image, cell), cell, x, y);
    if (c.caption) {
      const [l1, l2] = wrap(ctx, c.caption, cell, 11);
      label(ctx, l1, x + cell / 2, y + cell + 2, cell, 11);
      if (l2) label(ctx, l2, x + cell / 2, y + cell + 16, cell, 11);
    }
  });
  return canvas.toBuffer('image/png');
}

/** Up to two lines that fit `width` at `px`; the second ends with … when cut. */
function wrap(ctx: SKRSContext2D, text: string, width: number, px: number): [string, string?] {
  ctx.font = `${px}px "${FONT_FAMILY}"`;
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [''];
  for (const word of words) {
    const cur = lines[lines.length - 1]!;
    const next = cur ? `${cur} ${word}` : word;
    if (ctx.measureText(next).width <= width || !cur) lines[lines.length - 1] = next;
    else lines.push(word);
  }
  if (lines.length <= 2) return [lines[0]!, lines[1]];
  let second = lines[1]!;
  while (second.length > 1 && ctx.measureText(`${second}…`).width > width) second = second.slice(0, -1);
  return [lines[0]!, `${second}…`];
}
