import { describe, expect, it } from 'vitest';
import { attentionLift, emptyLiftSums, mergeLiftSums, poolMasks } from '../../../runtime/eval/attention-lift.js';

/** A 4×4 grid, K = 2 parts: part 1 is the top-left 2×2 block (a quarter of the image). */
const K = 2;
const masks = new Float32Array(16 * K);
for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
  const inPart = y < 2 && x < 2 ? 1 : 0;
  masks[(y * 4 + x) * K + 1] = inPart;
  masks[(y * 4 + x) * K] = 1 - inPart;
}

/** Attention [16 pixels × T words] from a per-pixel function of the word. */
function attnOf(T: number, f: (p: number, t: number) => number): Float32Array {
  const a = new Float32Array(16 * T);
  for (let p = 0; p < 16; p++) for (let t = 0; t < T; t++) a[p * T + t] = f(p, t);
  return a;
}
const inBlock = (p: number) => Math.floor(p / 4) < 2 && p % 4 < 2;

describe('attentionLift', () => {
  it('is 1 for uniform attention and 1 / share for attention wholly inside the part', () => {
    const attn = attnOf(3, (p, t) => (t === 0 ? 1 / 3 : t === 1 ? (inBlock(p) ? 0.5 : 0) : 0.1));
    const [uniform, inside, flat] = attentionLift(attn, 3, masks, K, [{ word: 0, part: 1 }, { word: 1, part: 1 }, { word: 2, part: 1 }]);
    expect(uniform).toBeCloseTo(1, 6);
    expect(inside).toBeCloseTo(4, 6); // the part is a quarter of the grid
    expect(flat).toBeCloseTo(1, 6);
  });

  it('is 0 for attention wholly outside, and in between for a mix', () => {
    const attn = attnOf(2, (p, t) => (t === 0 ? (inBlock(p) ? 0 : 1) : inBlock(p) ? 3 : 1));
    // word 1: inside mass 4·3 = 12 of 12 + 12 = 24 → share 0.5, lift 0.5 / 0.25 = 2
    const [outside, mixed] = attentionLift(attn, 2, masks, K, [{ word: 0, part: 1 }, { word: 1, part: 1 }]);
    expect(outside).toBe(0);
    expect(mixed).toBeCloseTo(2, 6);
  });

  it('weighs soft masks by their coverage', () => {
    const soft = new Float32Array(16 * K);
    for (let p = 0; p < 16; p++) {
      soft[p * K + 1] = p === 0 ? 0.5 : 0;
      soft[p * K] = 1 - soft[p * K + 1]!;
    }
    const attn = attnOf(1, (p) => (p === 0 ? 1 : 0));
    // inside = 0.5 of mass 1, area = 0.5 / 16 → lift = 0.5 / (0.5 / 16) = 16
    expect(attentionLift(attn, 1, soft, K, [{ word: 0, part: 1 }])[0]).toBeCloseTo(16, 5);
  });

  it('answers null for a part with no pixels or a word with no attention, and refuses bad shapes', () => {
    const none = new Float32Array(16 * K);
    for (let p = 0; p < 16; p++) none[p * K] = 1;
    expect(attentionLift(attnOf(1, () => 1), 1, none, K, [{ word: 0, part: 1 }])).toEqual([null]);
    expect(attentionLift(attnOf(1, () => 0), 1, masks, K, [{ word: 0, part: 1 }])).toEqual([null]);
    expect(() => attentionLift(new Float32Array(15), 1, masks, K, [])).toThrow(RangeError);
    expect(() => attentionLift(attnOf(1, () => 1), 1, masks, K, [{ word: 1, part: 1 }])).toThrow(RangeError);
  });

  it('merges sums part by part', () => {
    const a = emptyLiftSums(2);
    a.sum[1] = 3; a.count[1] = 1;
    const b = { sum: [0, 5], count: [0, 2] };
    expect(mergeLiftSums(a, b)).toEqual({ sum: [0, 8], count: [0, 3] });
  });
});

describe('poolMasks', () => {
  it('averages each cell: a 4×4 mask pooled to 2×2', () => {
    const pooled = poolMasks(masks, 4, K, 2);
    expect(Array.from(pooled)).toEqual([0, 1, 1, 0, 1, 0, 1, 0]);
    expect(() => poolMasks(masks, 4, K, 3)).toThrow(RangeError);
  });
});
