import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { RgbImage } from '../data/images.js';
import { attentionPanels, resizeRgb, type AttentionFigureInput, type FigureOptions } from './attention-panels.js';
import { FONT_FAMILY, ensureFont } from './font.js';

export { toRgbImages, type AttentionFigureInput, type FigureOptions } from './attention-panels.js';

/**
 * Pictures for `attnc sample` / `attnc eval`: generated images as PNG, the paper's attention
 * figure (the image, then one panel per word with its attention map blended over the image and the
 * word printed under it; docs/original.md §7), and labelled grids. Text is drawn by Skia through
 * @napi-rs/canvas with DejaVu Sans from the dejavu-fonts-ttf package, so no system font is needed.
 */
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

/**
 * The paper's attention figure as a PNG: [image | word 1 | word 2 | …], each word panel the map
 * up-sampled, min–max normalised per word (a constant map shows as all dark, never NaN — the
 * original's issue #80) and blended over the image in white, the word printed under it.
 */
export function attentionFigure(input: AttentionFigureInput, opts: FigureOptions = {}): Buffer {
  ensureFont();
  const panel = opts.panel ?? 128;
  const alpha = opts.alpha ?? 180 / 255;
  const { words } = input;
  const gap = 4;
  const labelH = Math.max(18, Math.round(panel * 0.16));
  const width = (panel + gap) * (1 + words.length) - gap;
  const canvas = createCanvas(width, panel + labelH + 4);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const panels = attentionPanels(input, { panel, alpha });
  putRgb(ctx, panels.image, panel, 0, 0);
  label(ctx, '(image)', panel / 2, panel + 3, panel, Math.round(labelH * 0.7));
  panels.words.forEach((rgb, t) => {
    const x = (panel + gap) * (t + 1);
    putRgb(ctx, rgb, panel, x, 0);
    label(ctx, words[t]!, x + panel / 2, panel + 3, panel, Math.round(labelH * 0.8));
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
