import { describe, expect, it } from 'vitest';
import { decodeImage, type RgbImage } from '../../../runtime/data/images.js';
import { attentionFigure, labelledGrid, toRgbImages } from '../../../runtime/figures/figures.js';

function gradientImage(size: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set([(x * 255) / size, (y * 255) / size, 90], (y * size + x) * 3);
  return { data, width: size, height: size };
}

/** Dark pixels (text) in a band of rows and columns. */
function darkPixels(img: RgbImage, x0: number, x1: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.data[(y * img.width + x) * 3]! < 100) n++;
  return n;
}

describe('attention figure', () => {
  const h = 8;
  const w = 8;
  const T = 4;
  // Word t attends to column block t (its map is bright there), channel 3 is padding.
  const maps = new Float32Array(h * w * T);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let t = 0; t < 3; t++) maps[(y * w + x) * T + t] = Math.floor(x / 3) === t ? 0.9 : 0.05;

  it('is the image followed by one panel per word with its label, maps normalised per word', () => {
    const png = attentionFigure({ image: gradientImage(64), maps, h, w, channels: T, words: ['red', 'wings', 'belly'] }, { panel: 96 });
    const img = decodeImage(png, 'figure.png');
    expect(img.width).toBe((96 + 4) * 4 - 4);
    expect(img.height).toBeGreaterThan(96 + 12);
    // Word 0's panel is bright on the left, word 2's on the right.
    const lum = (x: number, y: number) => img.data[(y * img.width + x) * 3 + 1]!;
    const p0 = 100;
    const p2 = 300;
    expect(lum(p0 + 10, 48)).toBeGreaterThan(lum(p0 + 86, 48) + 80);
    expect(lum(p2 + 86, 48)).toBeGreaterThan(lum(p2 + 10, 48) + 80);
    // Text was drawn under every panel (the font renders), none above the label band.
    for (let k = 0; k < 4; k++) {
      expect(darkPixels(img, k * 100, k * 100 + 96, 97, img.height)).toBeGreaterThan(15);
    }
    expect(darkPixels(img, 0, img.width, img.height - 1, img.height)).toBe(0);
  });

  it('shows a constant or NaN-free degenerate map as dark instead of crashing (original issue #80)', () => {
    const flat = new Float32Array(h * w * 1).fill(0.25);
    const png = attentionFigure({ image: gradientImage(32), maps: flat, h, w, channels: 1, words: ['bird'] }, { panel: 64 });
    expect(decodeImage(png, 'flat.png').width).toBe(64 * 2 + 4);
    expect(() => attentionFigure({ image: gradientImage(32), maps: flat, h, w, channels: 1, words: ['a', 'b'] })).toThrow(/2 words but 1 attention channels/);
  });

  it('labelled grid and image conversion', () => {
    const imgs = toRgbImages(Float32Array.from([-1, 0, 1, 1, 1, 1]), [2, 1, 1, 3]);
    expect(Array.from(imgs[0]!.data)).toEqual([0, 128, 255]);
    const grid = decodeImage(labelledGrid([{ image: gradientImage(16), caption: 'a very long caption that will need to wrap onto a second line and be cut' }, { image: gradientImage(16) }], { cols: 2, cell: 64 }), 'grid.png');
    expect(grid.width).toBe(2 * 70 + 6);
    expect(darkPixels(grid, 6, 70, 70, grid.height)).toBeGreaterThan(20);
  });
});
