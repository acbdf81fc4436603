import { describe, expect, it } from 'vitest';
import { type BirdAttributes } from '../../../../runtime/data/synthbirds/attributes.js';
import { regionPartFractions } from '../../../../runtime/data/synthbirds/region-parts.js';
import { PARTS, renderBirdWithMasks } from '../../../../runtime/data/synthbirds/render.js';
import { transformImage } from '../../../../runtime/data/images.js';
import { Rng } from '../../../../runtime/util/rng.js';

const base: BirdAttributes = { wing: 'red', belly: 'white', crown: 'black', beak: 'long', size: 'large', background: 'grass', facing: 'left' };
const K = PARTS.length;

/** The hand computation: the mean mask weight of each part over the cell's pixels of an `imsize` crop at (x0, y0). */
function expected(w: Float32Array, S: number, x0: number, y0: number, imsize: number, grid: number, flipped: boolean): Float32Array {
  const out = new Float32Array(grid * grid * K);
  const cell = imsize / grid;
  for (let gy = 0; gy < grid; gy++)
    for (let gx = 0; gx < grid; gx++)
      for (let y = gy * cell; y < (gy + 1) * cell; y++)
        for (let x = gx * cell; x < (gx + 1) * cell; x++) {
          const sx = x0 + (flipped ? imsize - 1 - x : x);
          for (let k = 0; k < K; k++) out[(gy * grid + gx) * K + k] += w[((y0 + y) * S + sx) * K + k]! / (cell * cell);
        }
  return out;
}

describe('regionPartFractions', () => {
  it('gives each cell the mean of the part masks under it, after the same crop and flip as the picture', () => {
    const S = 72;
    const r = renderBirdWithMasks(base, S, 5);
    for (const flipped of [false, true]) {
      const info = { resizedWidth: S, resizedHeight: S, cropX: 5, cropY: 3, flipped };
      const got = regionPartFractions(r.masks, info, 64, 8);
      const want = expected(r.masks.weights, S, 5, 3, 64, 8, flipped);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
      for (let c = 0; c < 64; c++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += got[c * K + k]!;
        expect(s).toBeCloseTo(1, 5);
      }
    }
  });

  it('lines up with the picture the transform makes: white pixels lie in cells with a belly share, flipped or not', () => {
    // A white belly on a grass scene: every pure-white pixel of the crop is belly.
    const S = 72;
    const r = renderBirdWithMasks(base, S, 9);
    const belly = PARTS.indexOf('belly');
    const seen = new Set<boolean>();
    for (let seed = 0; seen.size < 2; seed++) {
      const { image, info } = transformImage({ data: r.rgb, width: S, height: S }, 64, true, Rng.stream(seed), S / 64);
      seen.add(info.flipped);
      const shares = regionPartFractions(r.masks, info, 64, 8);
      let hits = 0;
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++) {
          const p = (y * 64 + x) * 3;
          if (image.data[p]! > 240 && image.data[p + 1]! > 240 && image.data[p + 2]! > 240) {
            hits++;
            expect(shares[(Math.floor(y / 8) * 8 + Math.floor(x / 8)) * K + belly], `seed ${seed} (${info.flipped ? 'flipped' : 'not flipped'}) at ${x},${y}`).toBeGreaterThan(0);
          }
        }
      expect(hits).toBeGreaterThan(20);
    }
  });

  it('refuses a grid that does not divide the picture', () => {
    const r = renderBirdWithMasks(base, 64, 1);
    expect(() => regionPartFractions(r.masks, { resizedWidth: 64, resizedHeight: 64, cropX: 0, cropY: 0, flipped: false }, 64, 6)).toThrow(/does not divide/);
  });
});
