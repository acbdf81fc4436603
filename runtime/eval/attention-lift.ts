/**
 * Attention lift: does a word look at the part it names? For a colour word attached to a part
 * ("red" in "red wings"), the share of the word's attention mass that falls inside the part's mask,
 * divided by the part's share of the image. 1 = no better than spreading attention evenly; the
 * attention of a word that looks only inside the part reaches 1 / (part's share).
 *
 * Maps are plain arrays on one grid (the attention stage's): `attn` [h·w·T] as the generator returns
 * it per image (pixel-major, T words last), `masks` [h·w·K] soft part masks on the same grid.
 */

/** One word to score: its position in the caption and the mask channel of its part. */
export interface LiftWord {
  word: number;
  part: number;
}

/** Sums that merge across images and shards: per part, Σ lift and the number of words. */
export interface LiftSums {
  sum: number[];
  count: number[];
}

export function emptyLiftSums(parts: number): LiftSums {
  return { sum: new Array<number>(parts).fill(0), count: new Array<number>(parts).fill(0) };
}

export function mergeLiftSums(a: LiftSums, b: LiftSums): LiftSums {
  return { sum: a.sum.map((v, k) => v + b.sum[k]!), count: a.count.map((v, k) => v + b.count[k]!) };
}

/**
 * The lift of each word on one image, or null for a word whose part covers no pixel of the grid
 * (nothing to look at) or whose attention is all zero. `words` index the T axis of `attn`.
 */
export function attentionLift(attn: ArrayLike<number>, T: number, masks: ArrayLike<number>, K: number, words: readonly LiftWord[]): Array<number | null> {
  const pixels = masks.length / K;
  if (!Number.isInteger(pixels) || attn.length !== pixels * T) {
    throw new RangeError(`attention lift: attention of ${attn.length} values is not ${pixels} pixels × ${T} words`);
  }
  return words.map(({ word, part }) => {
    if (word < 0 || word >= T || part < 0 || part >= K) throw new RangeError(`attention lift: word ${word} / part ${part} out of range`);
    let mass = 0, inside = 0, area = 0;
    for (let p = 0; p < pixels; p++) {
      const a = attn[p * T + word]!;
      const m = masks[p * K + part]!;
      mass += a;
      inside += a * m;
      area += m;
    }
    if (area <= 0 || mass <= 0) return null;
    return inside / mass / (area / pixels);
  });
}

/**
 * Soft masks [size·size·K] averaged down to grid [g·g·K] (size a multiple of g): the share of each
 * grid cell that belongs to each part.
 */
export function poolMasks(masks: ArrayLike<number>, size: number, K: number, grid: number): Float32Array {
  if (size % grid !== 0) throw new RangeError(`masks of ${size} px do not pool to a ${grid}×${grid} grid`);
  const f = size / grid;
  const out = new Float32Array(grid * grid * K);
  const norm = 1 / (f * f);
  for (let y = 0; y < size; y++) {
    const gy = Math.floor(y / f);
    for (let x = 0; x < size; x++) {
      const o = (gy * grid + Math.floor(x / f)) * K;
      const i = (y * size + x) * K;
      for (let k = 0; k < K; k++) out[o + k] = out[o + k]! + masks[i + k]! * norm;
    }
  }
  return out;
}
