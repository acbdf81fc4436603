import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';
import { foldOf, meanStd } from './folds.js';

/**
 * R-precision (R = 1) by the protocol the community uses for AttnGAN (docs/original.md §8, DM-GAN's
 * trainer.py / `get_mis_caption`): each generated image's global DAMSM feature is compared by
 * cosine similarity with the sentence features of `candidates` captions — its own and
 * `candidates − 1` captions of images from other classes — and counts as a hit when its own
 * caption scores highest. Hits are averaged per fold, then mean ± std (population) over folds.
 */
export interface RPrecisionProtocol {
  candidates: number;
  folds: number;
}

/** A caption that can serve as a mismatched candidate: the class of the image it belongs to. */
export interface CaptionPoolEntry {
  classId: number;
  /** How many captions the image has (one is drawn). */
  captions: number;
}

/**
 * `count` (image, caption) pairs from images of a class other than `ownClass`, drawn with
 * replacement like get_mis_caption. Throws when no other class exists (R-precision is then undefined).
 */
export function mismatchedCaptions(pool: readonly CaptionPoolEntry[], ownClass: number, count: number, rng: Rng): Array<{ image: number; caption: number }> {
  const others = pool.length;
  if (!pool.some((p) => p.classId !== ownClass)) {
    throw new RangeError(`R-precision needs captions of another class than ${ownClass}; the caption pool has none`);
  }
  const out: Array<{ image: number; caption: number }> = [];
  while (out.length < count) {
    const image = rng.int(others);
    const entry = pool[image]!;
    if (entry.classId === ownClass) continue;
    out.push({ image, caption: rng.int(entry.captions) });
  }
  return out;
}

/**
 * imageGlobal [B, D], candidates [B, C, D] with the true caption at index 0 → for each row, whether
 * the true caption has the strictly highest cosine similarity.
 */
export function rankHits(imageGlobal: tf.Tensor2D, candidates: tf.Tensor3D): boolean[] {
  const sims = tf.tidy(() => {
    const img = tf.div(imageGlobal, tf.maximum(tf.norm(imageGlobal, 2, 1, true), 1e-8));
    const cand = tf.div(candidates, tf.maximum(tf.norm(candidates, 2, 2, true), 1e-8));
    return tf.squeeze(tf.matMul(cand, tf.expandDims(img, 2)), [2]); // [B, C]
  });
  const [B, C] = sims.shape as [number, number];
  const v = sims.dataSync();
  sims.dispose();
  const hits: boolean[] = [];
  for (let b = 0; b < B; b++) {
    const own = v[b * C]!;
    let hit = true;
    for (let c = 1; c < C; c++) if (v[b * C + c]! >= own) hit = false;
    hits.push(hit);
  }
  return hits;
}

/** Hits and counts per fold; shards add up. */
export class RPrecisionSums {
  readonly hits: number[];
  readonly counts: number[];

  constructor(readonly protocol: RPrecisionProtocol) {
    if (!Number.isInteger(protocol.folds) || protocol.folds < 1) throw new RangeError(`R-precision folds must be ≥ 1, got ${protocol.folds}`);
    if (!Number.isInteger(protocol.candidates) || protocol.candidates < 2) throw new RangeError(`R-precision candidates must be ≥ 2, got ${protocol.candidates}`);
    this.hits = new Array<number>(protocol.folds).fill(0);
    this.counts = new Array<number>(protocol.folds).fill(0);
  }

  add(hits: readonly boolean[], globalIndices: readonly number[]): this {
    if (hits.length !== globalIndices.length) throw new RangeError('RPrecisionSums.add: one global index per hit expected');
    hits.forEach((h, i) => {
      const f = foldOf(globalIndices[i]!, this.protocol.folds);
      this.counts[f]!++;
      if (h) this.hits[f]!++;
    });
    return this;
  }

  merge(o: RPrecisionSums): this {
    if (o.protocol.folds !== this.protocol.folds || o.protocol.candidates !== this.protocol.candidates) {
      throw new RangeError(`R-precision protocols differ (${JSON.stringify(o.protocol)} vs ${JSON.stringify(this.protocol)})`);
    }
    o.hits.forEach((h, i) => (this.hits[i]! += h));
    o.counts.forEach((c, i) => (this.counts[i]! += c));
    return this;
  }

  /** Percent per fold (folds without samples left out), mean ± std. */
  score(): { mean: number; std: number; perFold: number[]; samples: number } {
    const perFold = this.counts.flatMap((c, i) => (c > 0 ? [(100 * this.hits[i]!) / c] : []));
    return { ...meanStd(perFold), perFold, samples: this.counts.reduce((s, c) => s + c, 0) };
  }

  toJSON(): { protocol: RPrecisionProtocol; hits: number[]; counts: number[] } {
    return { protocol: this.protocol, hits: this.hits, counts: this.counts };
  }

  static fromJSON(j: { protocol: RPrecisionProtocol; hits: number[]; counts: number[] }): RPrecisionSums {
    const s = new RPrecisionSums(j.protocol);
    if (j.hits.length !== s.hits.length || j.counts.length !== s.counts.length) throw new RangeError('R-precision sums: fold count does not match the protocol');
    j.hits.forEach((h, i) => (s.hits[i] = h));
    j.counts.forEach((c, i) => (s.counts[i] = c));
    return s;
  }
}
