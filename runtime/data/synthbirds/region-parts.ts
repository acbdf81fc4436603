import type { TransformInfo } from '../images.js';
import { PARTS, type PartMasks } from './render.js';

/**
 * The share of each part (`PARTS` order) in every cell of a `grid`×`grid` partition of the final
 * `imsize`×`imsize` picture, after the same resize, crop and flip the picture went through (`info`).
 * Each output pixel takes the mask of the source pixel it was resampled from (nearest), so the
 * fractions follow the picture exactly when no resize happens (synthbirds renders at the crop
 * source's size) and to within a source pixel otherwise. Returns [grid·grid·K], row-major cells,
 * summing to 1 per cell.
 */
export function regionPartFractions(masks: PartMasks, info: TransformInfo, imsize: number, grid: number): Float32Array {
  if (!Number.isInteger(grid) || grid < 1 || imsize % grid !== 0) throw new RangeError(`part grid ${grid} does not divide the picture size ${imsize}`);
  const K = PARTS.length;
  const S = masks.size;
  const cell = imsize / grid;
  const out = new Float32Array(grid * grid * K);
  const sx = S / info.resizedWidth;
  const sy = S / info.resizedHeight;
  const src = (v: number, scale: number) => Math.min(S - 1, Math.max(0, Math.floor(v * scale)));
  for (let y = 0; y < imsize; y++) {
    const row = src(info.cropY + y + 0.5, sy);
    const gy = Math.floor(y / cell);
    for (let x = 0; x < imsize; x++) {
      // The flip mirrors the crop: output x shows crop column imsize−1−x.
      const col = src(info.cropX + (info.flipped ? imsize - 1 - x : x) + 0.5, sx);
      const from = (row * S + col) * K;
      const to = (gy * grid + Math.floor(x / cell)) * K;
      for (let k = 0; k < K; k++) out[to + k] += masks.weights[from + k]!;
    }
  }
  const area = cell * cell;
  for (let i = 0; i < out.length; i++) out[i] /= area;
  return out;
}
