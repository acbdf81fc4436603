import { describe, expect, it } from 'vitest';
import { PALETTE, type BirdAttributes } from '../../../../runtime/data/synthbirds/attributes.js';
import { Canvas, Capsule, Circle, Ellipse, Grow, HalfPlane, Intersect, Polygon, type Shape } from '../../../../runtime/data/synthbirds/raster.js';
import { renderBird, renderBirdCanvas } from '../../../../runtime/data/synthbirds/render.js';
import { Rng } from '../../../../runtime/util/rng.js';

const base: BirdAttributes = { wing: 'red', belly: 'white', crown: 'black', beak: 'medium', size: 'medium', background: 'sky', facing: 'right' };

/** Pixels (indices) where two images of the same size differ. */
function diffPixels(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 0; p < a.length / 3; p++) if (a[p * 3] !== b[p * 3] || a[p * 3 + 1] !== b[p * 3 + 1] || a[p * 3 + 2] !== b[p * 3 + 2]) out.push(p);
  return out;
}

function insideBox(p: number, size: number, [x, y, w, h]: readonly number[]): boolean {
  const px = p % size, py = Math.floor(p / size);
  return px >= x! - 1 && px < x! + w! + 1 && py >= y! - 1 && py < y! + h! + 1;
}

describe('synthbirds renderer', () => {
  it('is deterministic: same attributes, size and seed give identical bytes', () => {
    const a = renderBird(base, 64, 1234);
    const b = renderBird({ ...base }, 64, 1234);
    expect(Buffer.from(b.rgb).equals(Buffer.from(a.rgb))).toBe(true);
    expect(b.bbox).toEqual(a.bbox);
    expect(diffPixels(a.rgb, renderBird(base, 64, 1235).rgb).length).toBeGreaterThan(100);
  });

  it('renders every size from 32 to 256 with a bbox inside the image', () => {
    for (const size of [32, 33, 64, 100, 128, 256]) {
      const r = renderBird(base, size, 7);
      expect(r.rgb.length).toBe(size * size * 3);
      const [x, y, w, h] = r.bbox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(size);
      expect(y + h).toBeLessThanOrEqual(size);
      expect(w * h).toBeGreaterThan(0.04 * size * size);
    }
    // Resolution independence: the box scales with the image.
    const small = renderBird(base, 64, 7).bbox;
    const big = renderBird(base, 256, 7).bbox;
    small.forEach((v, i) => expect(Math.abs(big[i]! / 4 - v)).toBeLessThanOrEqual(1.5));
    expect(() => renderBird(base, 31, 0)).toThrow(RangeError);
    expect(() => renderBird(base, 257, 0)).toThrow(RangeError);
    expect(() => renderBird(base, 64.5, 0)).toThrow(RangeError);
  });

  it('draws the colour attributes on the bird only: recolouring changes pixels inside the bbox and nowhere else', () => {
    const size = 64;
    const a = renderBird(base, size, 99);
    for (const change of [{ wing: 'blue' }, { belly: 'green' }, { crown: 'yellow' }] as const) {
      const b = renderBird({ ...base, ...change }, size, 99);
      expect(b.bbox).toEqual(a.bbox);
      const d = diffPixels(a.rgb, b.rgb);
      expect(d.length).toBeGreaterThan(8);
      expect(d.every((p) => insideBox(p, size, a.bbox))).toBe(true);
    }
  });

  it('varies each attribute independently', () => {
    const size = 64;
    const a = renderBird(base, size, 5);
    // Beak: only the bird changes, and the box grows with the beak.
    const long = renderBird({ ...base, beak: 'long' }, size, 5);
    const short = renderBird({ ...base, beak: 'short' }, size, 5);
    expect(diffPixels(a.rgb, long.rgb).length).toBeGreaterThan(3);
    expect(short.bbox[2]).toBeLessThan(a.bbox[2]);
    expect(a.bbox[2]).toBeLessThan(long.bbox[2]);
    // Body size: the box area is ordered small < medium < large for the same seed.
    const area = (s: BirdAttributes['size']) => { const [, , w, h] = renderBird({ ...base, size: s }, size, 5).bbox; return w * h; };
    expect(area('small')).toBeLessThan(area('medium'));
    expect(area('medium')).toBeLessThan(area('large'));
    // Background: most changed pixels lie outside the bird.
    const forest = renderBird({ ...base, background: 'forest' }, size, 5);
    const d = diffPixels(a.rgb, forest.rgb);
    expect(d.filter((p) => !insideBox(p, size, a.bbox)).length).toBeGreaterThan(0.5 * (size * size - a.bbox[2] * a.bbox[3]));
    // Facing: the bird turns around its own centre.
    const left = renderBird({ ...base, facing: 'left' }, size, 5);
    const cx = (b: readonly number[]) => b[0]! + b[2]! / 2;
    expect(diffPixels(a.rgb, left.rgb).length).toBeGreaterThan(50);
    expect(Math.abs(cx(left.bbox) - cx(a.bbox))).toBeLessThan(0.15 * size);
  });

  it('paints the named colours: the most common bird colour is the belly or wing colour', () => {
    const size = 128;
    const { canvas, bbox } = renderBirdCanvas({ ...base, wing: 'blue', belly: 'yellow', background: 'grass' }, size, 3);
    const [x, y, w, h] = bbox;
    let nearBelly = 0, nearWing = 0;
    const close = (o: number, c: readonly number[]) => Math.hypot(canvas.data[o]! - c[0]!, canvas.data[o + 1]! - c[1]!, canvas.data[o + 2]! - c[2]!) < 0.05;
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) {
      const o = (yy * size + xx) * 3;
      if (close(o, PALETTE.yellow)) nearBelly++;
      if (close(o, PALETTE.blue)) nearWing++;
    }
    expect(nearBelly).toBeGreaterThan(0.05 * w * h);
    expect(nearWing).toBeGreaterThan(0.05 * w * h);
  });

  it('has sane image statistics', () => {
    const rng = Rng.stream(1);
    for (let i = 0; i < 10; i++) {
      const r = renderBird({ ...base, background: (['sky', 'forest', 'water', 'sunset', 'grass'] as const)[i % 5] }, 64, rng.int(1e9));
      let sum = 0, sum2 = 0;
      for (const v of r.rgb) { sum += v; sum2 += v * v; }
      const mean = sum / r.rgb.length;
      const std = Math.sqrt(sum2 / r.rgb.length - mean * mean);
      expect(mean).toBeGreaterThan(30);
      expect(mean).toBeLessThan(230);
      expect(std).toBeGreaterThan(15);
    }
  });

  it('anti-aliases edges: a disc has intermediate values and the right area', () => {
    const cv = new Canvas(40, 40);
    cv.fill(new Circle(20.3, 19.7, 11.2), [1, 1, 1]);
    let area = 0, partial = 0;
    for (let i = 0; i < cv.data.length; i += 3) {
      area += cv.data[i]!;
      if (cv.data[i]! > 0.02 && cv.data[i]! < 0.98) partial++;
    }
    expect(Math.abs(area - Math.PI * 11.2 * 11.2) / (Math.PI * 11.2 * 11.2)).toBeLessThan(0.01);
    expect(partial).toBeGreaterThan(40);
    // And in a rendered bird: many distinct byte values, not a handful of flat colours.
    const r = renderBird({ ...base, background: 'sky' }, 64, 11);
    expect(new Set(r.rgb).size).toBeGreaterThan(100);
  });

  it('skipping runs of certainly-outside/inside pixels changes nothing', () => {
    const rng = Rng.stream(42);
    const noSkip = (s: Shape): Shape => ({ bounds: s.bounds, stretch: Infinity, dist: (x, y) => s.dist(x, y) });
    const shapes: Shape[] = [];
    for (let i = 0; i < 30; i++) {
      const e = new Ellipse(rng.uniform(5, 45), rng.uniform(5, 45), rng.uniform(1, 20), rng.uniform(1, 8), rng.uniform(-3, 3));
      shapes.push(e, new Intersect(e, new HalfPlane(25, 25, rng.uniform(-1, 1), rng.uniform(-1, 1))));
      const p = new Polygon([[rng.uniform(0, 50), rng.uniform(0, 50)], [rng.uniform(0, 50), rng.uniform(0, 50)], [rng.uniform(0, 50), rng.uniform(0, 50)]]);
      shapes.push(p, new Grow(p, 1.3), new Capsule(rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(0.3, 4)));
    }
    for (const s of shapes) {
      const a = new Canvas(50, 50), b = new Canvas(50, 50);
      a.fill(s, [1, 0.5, 0.25], 0.9);
      b.fill(noSkip(s), [1, 0.5, 0.25], 0.9);
      let maxDiff = 0;
      for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i]! - b.data[i]!));
      expect(maxDiff).toBeLessThan(1e-6);
    }
  });
});
