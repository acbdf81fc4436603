import type { RgbImage } from '../data/images.js';

/**
 * The pixels of the paper's attention figure, without drawing a word: what `attentionFigure`
 * (figures.ts, through @napi-rs/canvas) and the web page (`attnc export --format web`, through the
 * browser's canvas) both lay out. Pure: no canvas, no Node module.
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
export function resizeMap(src: Float32Array, h: number, w: number, size: number): Float32Array {
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

export function resizeRgb(img: RgbImage, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let c = 0; c < 3; c++) {
    const ch = new Float32Array(img.width * img.height);
    for (let i = 0; i < ch.length; i++) ch[i] = img.data[i * 3 + c]!;
    const r = resizeMap(ch, img.height, img.width, size);
    for (let i = 0; i < r.length; i++) out[i * 3 + c] = Math.round(r[i]!);
  }
  return out;
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

/** The figure's panels as RGB (panel × panel × 3 each): the image up-sampled, then one per word. */
export interface AttentionPanels {
  panel: number;
  image: Uint8Array;
  words: Uint8Array[];
}

/**
 * Each word's panel: the map up-sampled, min–max normalised per word (a constant map shows as all
 * dark, never NaN — the original's issue #80) and blended over the image in white.
 */
export function attentionPanels(input: AttentionFigureInput, opts: FigureOptions = {}): AttentionPanels {
  const panel = opts.panel ?? 128;
  const alpha = opts.alpha ?? 180 / 255;
  const { h, w, channels, words } = input;
  if (input.maps.length !== h * w * channels) throw new RangeError(`attentionFigure: ${input.maps.length} values is not ${h}×${w}×${channels}`);
  if (words.length > channels) throw new RangeError(`attentionFigure: ${words.length} words but ${channels} attention channels`);
  const base = resizeRgb(input.image, panel);
  const panels = words.map((_, t) => {
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
    return out;
  });
  return { panel, image: base, words: panels };
}
