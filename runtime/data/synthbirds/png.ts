import { PNG } from 'pngjs';

/**
 * 8-bit RGB (no alpha) PNG. Deterministic: no timestamp or text chunks, fixed filter and zlib
 * settings, so the same pixels give the same bytes.
 */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Buffer {
  const meta = { width, height, data: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength) } as unknown as PNG;
  // Paeth on every row compresses these flat-shaded images well at a fraction of adaptive filtering's cost.
  return PNG.sync.write(meta, { colorType: 2, inputColorType: 2, inputHasAlpha: false, filterType: 4, deflateLevel: 6 });
}

/** A contact sheet: the images in a grid of `cols` columns with a `gap`-pixel white gutter. */
export function contactSheet(images: ReadonlyArray<{ rgb: Uint8Array; width: number; height: number }>, cols: number, gap = 2): { rgb: Uint8Array; width: number; height: number } {
  const cell = Math.max(0, ...images.map((im) => Math.max(im.width, im.height)));
  const rows = Math.max(1, Math.ceil(images.length / cols));
  const width = cols * cell + (cols + 1) * gap;
  const height = rows * cell + (rows + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  images.forEach((im, k) => {
    const ox = gap + (k % cols) * (cell + gap);
    const oy = gap + Math.floor(k / cols) * (cell + gap);
    for (let y = 0; y < im.height; y++) {
      rgb.set(im.rgb.subarray(y * im.width * 3, (y + 1) * im.width * 3), ((oy + y) * width + ox) * 3);
    }
  });
  return { rgb, width, height };
}
