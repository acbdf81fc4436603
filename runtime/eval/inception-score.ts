import { foldOf, meanStd } from './folds.js';

/**
 * Inception Score, exp E_x KL(p(y|x) ‖ p(y)), per split and averaged (Salimans et al. 2016;
 * improved-gan's `get_inception_score` uses 10 splits). Kept as sums so shards merge:
 * per split, n, Σ_x Σ_y p log p and Σ_x p(y|x); then
 *   Σ_x KL = Σ_x Σ_y p log p − Σ_y (Σ_x p(y|x)) log p̄(y),  p̄ = Σ_x p(y|x) / n.
 */
export interface ScoreSplit {
  n: number;
  plogp: number;
  /** Σ_x p(y|x), one entry per class. */
  marginal: number[];
}

export class InceptionScoreSums {
  readonly splits: ScoreSplit[];

  constructor(readonly classes: number, splits: number) {
    if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`Inception Score needs ≥ 2 classes, got ${classes}`);
    if (!Number.isInteger(splits) || splits < 1) throw new RangeError(`Inception Score splits must be ≥ 1, got ${splits}`);
    this.splits = Array.from({ length: splits }, () => ({ n: 0, plogp: 0, marginal: new Array<number>(classes).fill(0) }));
  }

  /** probs: rows of class probabilities (count·classes), globalIndices: each row's sample index. */
  add(probs: Float32Array | Float64Array, globalIndices: readonly number[]): this {
    const K = this.classes;
    if (probs.length !== globalIndices.length * K) throw new RangeError(`InceptionScoreSums.add: ${probs.length} values for ${globalIndices.length} rows of ${K}`);
    globalIndices.forEach((g, r) => {
      const s = this.splits[foldOf(g, this.splits.length)]!;
      s.n++;
      for (let y = 0; y < K; y++) {
        const p = probs[r * K + y]!;
        if (p > 0) s.plogp += p * Math.log(p);
        s.marginal[y]! += p;
      }
    });
    return this;
  }

  merge(o: InceptionScoreSums): this {
    if (o.classes !== this.classes || o.splits.length !== this.splits.length) throw new RangeError('InceptionScoreSums.merge: classes or splits differ');
    o.splits.forEach((s, i) => {
      const t = this.splits[i]!;
      t.n += s.n;
      t.plogp += s.plogp;
      s.marginal.forEach((m, y) => (t.marginal[y]! += m));
    });
    return this;
  }

  /** Per-split scores (splits with no sample are left out) and their mean ± std. */
  score(): { mean: number; std: number; perSplit: number[] } {
    const perSplit = this.splits
      .filter((s) => s.n > 0)
      .map((s) => {
        let cross = 0;
        for (const m of s.marginal) if (m > 0) cross += m * Math.log(m / s.n);
        return Math.exp((s.plogp - cross) / s.n);
      });
    return { ...meanStd(perSplit), perSplit };
  }

  toJSON(): { classes: number; splits: ScoreSplit[] } {
    return { classes: this.classes, splits: this.splits };
  }

  static fromJSON(j: { classes: number; splits: ScoreSplit[] }): InceptionScoreSums {
    const s = new InceptionScoreSums(j.classes, j.splits.length);
    j.splits.forEach((x, i) => {
      if (x.marginal.length !== j.classes) throw new RangeError(`Inception Score split ${i}: ${x.marginal.length} marginals for ${j.classes} classes`);
      Object.assign(s.splits[i]!, { n: x.n, plogp: x.plogp, marginal: [...x.marginal] });
    });
    return s;
  }
}
