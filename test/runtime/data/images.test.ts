import { describe, expect, it } from 'vitest';
import {
  bboxCrop,
  bboxCropBox,
  crop,
  decodeImage,
  encodeJpeg,
  encodePng,
  flipHorizontal,
  pyramid,
  resizeBilinear,
  resizeRegion,
  resizeShorterSide,
  toSignedUnit,
  transformImage,
} from '../../../runtime/data/images.js';
import { Rng } from '../../../runtime/util/rng.js';
import { AttncError } from '../../../runtime/util/errors.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, gradientImage } from './make-fixtures.js';

const px = (img: { data: Uint8Array; width: number }, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];

function caught(fn: () => unknown): AttncError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttncError);
    return e as AttncError;
  }
  throw new Error('expected an AttncError');
}

describe('decodeImage', () => {
  it('decodes PNG exactly and JPEG closely, by magic bytes not file name', () => {
    const img = gradientImage(23, 17, 99);
    const png = decodeImage(encodePng(img), 'a.jpg');
    expect(png).toEqual({ data: img.data, width: 23, height: 17 });
    const jpg = decodeImage(encodeJpeg(img, 100), 'a.png');
    expect([jpg.width, jpg.height]).toEqual([23, 17]);
    let maxErr = 0;
    for (let i = 0; i < img.data.length; i++) maxErr = Math.max(maxErr, Math.abs(jpg.data[i]! - img.data[i]!));
    expect(maxErr).toBeLessThan(12);
  });

  it('decodes JPEG like PIL/libjpeg-turbo (fancy chroma upsampling) for 4:4:4, 4:2:2, 4:2:0, progressive', () => {
    const dir = path.join(FIXTURES, 'pillow');
    for (const name of ['jpeg444', 'jpeg422', 'jpeg420', 'jpeg420_progressive']) {
      const got = decodeImage(fs.readFileSync(path.join(dir, `${name}.jpg`)), name);
      const want = decodeImage(fs.readFileSync(path.join(dir, `${name}_pil.png`)), name);
      expect([got.width, got.height]).toEqual([want.width, want.height]);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < want.data.length; i++) {
        const d = Math.abs(got.data[i]! - want.data[i]!);
        worst = Math.max(worst, d);
        sum += d;
      }
      // what remains is IDCT rounding; nearest-neighbour chroma (plain jpeg-js) is off by ~15 on 4:2:0
      expect(worst, name).toBeLessThanOrEqual(4);
      expect(sum / want.data.length, name).toBeLessThan(0.5);
    }
  });

  it('reports a truncated JPEG with its path', () => {
    const bytes = encodeJpeg(gradientImage(32, 32), 90);
    for (const n of [bytes.length - 2, Math.floor(bytes.length / 2), 40]) {
      const err = caught(() => decodeImage(bytes.subarray(0, n), 'imgs/bird.jpg'));
      expect(err.code).toBe('ATTNC_DATA_IMAGE');
      expect(err.path).toBe('imgs/bird.jpg');
      expect(err.message).toMatch(/^imgs\/bird\.jpg: (JPEG is truncated|corrupt JPEG)/);
    }
  });

  it('reports a corrupt JPEG body, a truncated PNG, an empty file and a non-image', () => {
    const jpg = encodeJpeg(gradientImage(32, 32), 90);
    const bad = Uint8Array.from(jpg);
    bad.fill(0xff, 20, 200); // smash the headers and tables
    expect(caught(() => decodeImage(bad, 'x.jpg')).message).toMatch(/^x\.jpg: corrupt JPEG/);
    const png = encodePng(gradientImage(16, 16));
    expect(caught(() => decodeImage(png.subarray(0, png.length - 20), 'y.png')).message).toMatch(/^y\.png: corrupt PNG/);
    expect(caught(() => decodeImage(new Uint8Array(0), 'z.jpg')).message).toBe('z.jpg: image file is empty');
    expect(caught(() => decodeImage(new TextEncoder().encode('GIF89a...'), 'w.gif')).message).toMatch(/not a JPEG or PNG/);
  });
});

describe('resize (PIL-bilinear-like)', () => {
  it('keeps a constant image constant and preserves ramps when upscaling', () => {
    const flat = { data: new Uint8Array(10 * 7 * 3).fill(77), width: 10, height: 7 };
    const r = resizeBilinear(flat, 23, 3);
    expect(r.width).toBe(23);
    expect(r.data.every((v) => v === 77)).toBe(true);
    const g = resizeBilinear(gradientImage(9, 9), 17, 17);
    for (let x = 1; x < 17; x++) expect(px(g, x, 8)[0]!).toBeGreaterThanOrEqual(px(g, x - 1, 8)[0]!);
  });

  it('averages (antialiases) when shrinking, like Pillow', () => {
    // Alternating 0/255 columns shrunk 2× must become ~128 grey, not aliased 0 or 255.
    const w = 16;
    const data = new Uint8Array(w * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < w; x++) data.fill(x % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const r = resizeBilinear({ data, width: w, height: 4 }, 8, 4);
    for (let x = 1; x < 7; x++) expect(Math.abs(px(r, x, 1)[0]! - 128)).toBeLessThan(40);
  });

  it('matches Pillow Image.resize(BILINEAR) within ±1 (fixtures made with Pillow)', () => {
    const dir = path.join(FIXTURES, 'pillow');
    const src = decodeImage(fs.readFileSync(path.join(dir, 'src_37x29.png')), 'src');
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('bilinear_'))) {
      const want = decodeImage(fs.readFileSync(path.join(dir, f)), f);
      const got = resizeBilinear(src, want.width, want.height);
      let worst = 0;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - want.data[i]!));
      expect(worst, f).toBeLessThanOrEqual(1);
    }
  });

  it('resizeRegion equals resize-then-crop, pixel for pixel', () => {
    const img = gradientImage(37, 29, 10);
    for (const [ow, oh, x0, y0, w, h] of [[44, 35, 5, 3, 30, 30], [20, 15, 2, 1, 16, 12], [37, 40, 0, 4, 37, 30], [50, 29, 7, 0, 20, 29]] as const) {
      expect(resizeRegion(img, ow, oh, x0, y0, w, h)).toEqual(crop(resizeBilinear(img, ow, oh), x0, y0, x0 + w, y0 + h));
    }
  });

  it('resizes the shorter side like transforms.Scale', () => {
    expect(resizeShorterSide(gradientImage(50, 36), 76)).toMatchObject({ width: 105, height: 76 });
    expect(resizeShorterSide(gradientImage(36, 50), 76)).toMatchObject({ width: 76, height: 105 });
    const same = gradientImage(76, 90);
    expect(resizeShorterSide(same, 76)).toBe(same);
  });
});

describe('crops, flips, transform, pyramid', () => {
  it('computes the CUB bbox crop as get_imgs does, clipped at borders', () => {
    // r = int(0.75*max(30,20)) = 22; centre (25, 18) → [3, -4→0, 47, 40→40]
    expect(bboxCropBox([10, 8, 30, 20], 60, 40)).toEqual([3, 0, 47, 40]);
    // corner box: r = 22, centre (10, 15) → [0, 0, 32, 37]
    expect(bboxCropBox([0, 0, 20, 30], 48, 64)).toEqual([0, 0, 32, 37]);
    const img = gradientImage(60, 40);
    const c = bboxCrop(img, [10, 8, 30, 20], 'a.jpg');
    expect([c.width, c.height]).toEqual([44, 40]);
    expect(px(c, 0, 0)).toEqual(px(img, 3, 0));
    expect(caught(() => bboxCrop(img, [100, 100, 4, 4], 'a.jpg')).message).toMatch(/bounding box .* outside the 60×40 image/);
  });

  it('crops and flips pixels where expected', () => {
    const img = gradientImage(10, 8);
    expect(px(crop(img, 2, 3, 6, 7), 0, 0)).toEqual(px(img, 2, 3));
    expect(px(flipHorizontal(img), 0, 5)).toEqual(px(img, 9, 5));
  });

  it('transform: ×76/64 resize, random crop inside, flip drawn from the rng; centre crop without augment', () => {
    const img = gradientImage(50, 36);
    const seen = new Set<boolean>();
    for (let s = 0; s < 20; s++) {
      const { image, info } = transformImage(img, 64, true, Rng.stream(s));
      expect([image.width, image.height]).toEqual([64, 64]);
      expect([info.resizedWidth, info.resizedHeight]).toEqual([105, 76]);
      expect(info.cropX).toBeGreaterThanOrEqual(0);
      expect(info.cropX).toBeLessThanOrEqual(105 - 64);
      expect(info.cropY).toBeLessThanOrEqual(76 - 64);
      seen.add(info.flipped);
      // red ramps left→right unless flipped
      const left = px(image, 2, 30)[0]!;
      const right = px(image, 61, 30)[0]!;
      expect(info.flipped ? left > right : left < right).toBe(true);
    }
    expect(seen).toEqual(new Set([true, false]));
    const a = transformImage(img, 64, true, Rng.stream(7));
    const b = transformImage(img, 64, true, Rng.stream(7));
    expect(a.image.data).toEqual(b.image.data);
    const c = transformImage(img, 64, false, Rng.stream(7));
    expect(c.info).toEqual({ resizedWidth: 105, resizedHeight: 76, cropX: 21, cropY: 6, flipped: false });
  });

  it('builds the pyramid from the final crop and maps to [-1, 1]', () => {
    const img = gradientImage(32, 32);
    const levels = pyramid(img, [8, 16, 32]);
    expect(levels.map((l) => l.width)).toEqual([8, 16, 32]);
    expect(levels[2]).toBe(img);
    const out = new Float32Array(8 * 8 * 3 + 2);
    toSignedUnit({ data: Uint8Array.of(0, 255, 128), width: 1, height: 1 }, out, 2);
    expect([...out.subarray(2, 5)]).toEqual([-1, 1, Math.fround(128 / 127.5 - 1)]);
  });
});
