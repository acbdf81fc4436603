import { describe, expect, it } from 'vitest';
import { PALETTE, type BirdAttributes } from '../../../../runtime/data/synthbirds/attributes.js';
import { PARTS, renderBird, renderBirdWithMasks } from '../../../../runtime/data/synthbirds/render.js';

const base: BirdAttributes = { wing: 'red', belly: 'white', crown: 'black', beak: 'long', size: 'large', background: 'grass', facing: 'left' };
const K = PARTS.length;
const part = (name: (typeof PARTS)[number]) => PARTS.indexOf(name);

function weight(w: Float32Array, p: number, k: number): number {
  return w[p * K + k]!;
}

describe('synthbirds part masks', () => {
  it('leave the picture exactly as renderBird draws it, and sum to 1 in every pixel', () => {
    for (const [size, seed] of [[64, 3], [128, 11], [37, 5]] as const) {
      const plain = renderBird(base, size, seed);
      const r = renderBirdWithMasks(base, size, seed);
      expect(Buffer.from(r.rgb).equals(Buffer.from(plain.rgb))).toBe(true);
      expect(r.masks.weights.length).toBe(size * size * K);
      for (let p = 0; p < size * size; p++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += weight(r.masks.weights, p, k);
        expect(Math.abs(s - 1)).toBeLessThan(1e-5);
      }
    }
  });

  it('cover exactly the pixels a part colour paints: changing the belly or crown colour changes only pixels of that mask', () => {
    const size = 96;
    const a = renderBirdWithMasks(base, size, 21);
    for (const [attr, colour] of [['belly', 'blue'], ['crown', 'yellow']] as const) {
      const b = renderBird({ ...base, [attr]: colour }, size, 21);
      let changed = 0;
      for (let p = 0; p < size * size; p++) {
        const differs = a.rgb[p * 3] !== b.rgb[p * 3] || a.rgb[p * 3 + 1] !== b.rgb[p * 3 + 1] || a.rgb[p * 3 + 2] !== b.rgb[p * 3 + 2];
        if (!differs) continue;
        changed++;
        expect(weight(a.masks.weights, p, part(attr)), `pixel ${p} changed with the ${attr} colour`).toBeGreaterThan(0);
      }
      expect(changed).toBeGreaterThan(10);
    }
  });

  it('give each part its colour: fully covered wing, belly and crown pixels show the part colour', () => {
    const size = 128;
    const r = renderBirdWithMasks(base, size, 4);
    for (const name of ['wing', 'belly', 'crown'] as const) {
      const [pr, pg, pb] = PALETTE[base[name]].map((v) => Math.round(v * 255));
      let full = 0, exact = 0;
      for (let p = 0; p < size * size; p++) {
        if (weight(r.masks.weights, p, part(name)) < 0.999) continue;
        full++;
        if (Math.abs(r.rgb[p * 3]! - pr!) <= 1 && Math.abs(r.rgb[p * 3 + 1]! - pg!) <= 1 && Math.abs(r.rgb[p * 3 + 2]! - pb!) <= 1) exact++;
      }
      expect(full, name).toBeGreaterThan(20);
      // the wing also has darker flight feathers and a pale bar; most of it is the plain colour
      expect(exact / full, name).toBeGreaterThan(0.5);
    }
  });

  it('put everything outside the bird box in the background', () => {
    const size = 64;
    const r = renderBirdWithMasks(base, size, 9);
    const [x, y, w, h] = r.bbox;
    for (let p = 0; p < size * size; p++) {
      const px = p % size, py = Math.floor(p / size);
      if (px >= x - 2 && px < x + w + 2 && py >= y - 2 && py < y + h + 2) continue; // outlines and anti-aliasing reach past the box
      expect(weight(r.masks.weights, p, part('background'))).toBeCloseTo(1, 5);
    }
  });
});
