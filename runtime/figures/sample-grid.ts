/**
 * The sample grid written at every snapshot: one row per caption, every stage's image side by side
 * (each scaled up to one cell size, so resolutions compare at a glance), the caption under the row.
 */
import { createCanvas } from '@napi-rs/canvas';
import { ensureFont } from './font.js';

export interface GridRow {
  caption: string;
  /** One image per stage: RGB float values in [−1, 1], HWC, square. */
  stages: Array<{ size: number; data: Float32Array }>;
}

export interface GridImage {
  png: Buffer;
  width: number;
  height: number;
}

const PAD = 6;
const TEXT_H = 18;

function toRgba(data: Float32Array, size: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  for (let i = 0, j = 0; i < size * size; i++, j += 3) {
    out[i * 4] = (data[j]! + 1) * 127.5;
    out[i * 4 + 1] = (data[j + 1]! + 1) * 127.5;
    out[i * 4 + 2] = (data[j + 2]! + 1) * 127.5;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Splits text into at most `maxLines` lines that fit `width` (the last one ends in … when cut). */
function wrap(ctx: { measureText(t: string): { width: number } }, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const next = line ? `${line} ${words[i]}` : words[i]!;
    if (ctx.measureText(next).width <= width || !line) line = next;
    else {
      lines.push(line);
      line = words[i]!;
      if (lines.length === maxLines) {
        let last = lines.pop()!;
        while (last.length > 1 && ctx.measureText(`${last}…`).width > width) last = last.slice(0, -1);
        lines.push(`${last}…`);
        return lines;
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Draws the grid: one block per caption (its stages side by side, the caption in two lines under
 * them), blocks in rows of `perRow`; `cell` is the side every stage image is scaled to (default: the
 * largest stage, at least 128).
 */
export function renderSampleGrid(rows: readonly GridRow[], header: string, cell?: number, perRow = 4): GridImage {
  const font = ensureFont();
  const stages = rows[0]?.stages.length ?? 0;
  const side = cell ?? Math.max(128, ...rows.flatMap((r) => r.stages.map((s) => s.size)));
  const blockW = stages * (side + PAD) - PAD;
  const blockH = side + 2 * TEXT_H;
  const cols = Math.max(1, Math.min(perRow, rows.length));
  const gridRows = Math.ceil(rows.length / cols);
  const width = PAD + cols * (blockW + 2 * PAD);
  const height = TEXT_H + PAD + gridRows * (blockH + 2 * PAD);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#222222';
  ctx.font = `13px "${font}"`;
  ctx.textBaseline = 'top';
  ctx.fillText(header, PAD, 4);
  ctx.imageSmoothingEnabled = false;
  rows.forEach((row, r) => {
    const x0 = PAD + (r % cols) * (blockW + 2 * PAD);
    const y0 = TEXT_H + PAD + Math.floor(r / cols) * (blockH + 2 * PAD);
    row.stages.forEach((s, k) => {
      const tile = createCanvas(s.size, s.size);
      const tctx = tile.getContext('2d');
      const img = tctx.createImageData(s.size, s.size);
      img.data.set(toRgba(s.data, s.size));
      tctx.putImageData(img, 0, 0);
      const x = x0 + k * (side + PAD);
      ctx.drawImage(tile, x, y0, side, side);
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(x, y0, 34, 14);
      ctx.fillStyle = '#444444';
      ctx.font = `10px "${font}"`;
      ctx.fillText(`${s.size}px`, x + 3, y0 + 2);
    });
    ctx.fillStyle = '#222222';
    ctx.font = `12px "${font}"`;
    wrap(ctx, row.caption, blockW, 2).forEach((l, i) => ctx.fillText(l, x0, y0 + side + 3 + i * 15));
  });
  return { png: canvas.toBuffer('image/png'), width, height };
}
