import { AttncError } from '../util/errors.js';
import { traceSqrtProduct } from './linalg.js';

/**
 * Running feature statistics for FID: the count, the sum of the feature vectors and the sum of
 * their outer products, all float64. Sums merge by addition, so shards of a caption set each keep
 * their own and the merged statistics equal one pass over everything (up to float64 rounding of
 * the order of additions).
 */
export class FeatureStats {
  n = 0;
  readonly sum: Float64Array;
  /** Upper triangle used while adding; `covariance()` mirrors it. Row-major dim·dim. */
  readonly outer: Float64Array;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1 || dim > 8192) throw new RangeError(`FeatureStats: dim must be 1..8192, got ${dim}`);
    this.sum = new Float64Array(dim);
    this.outer = new Float64Array(dim * dim);
  }

  /** rows: count·dim float values (one feature vector per row). */
  add(rows: Float32Array | Float64Array, count = rows.length / this.dim): this {
    const d = this.dim;
    if (!Number.isInteger(count) || rows.length !== count * d) throw new RangeError(`FeatureStats.add: ${rows.length} values is not a whole number of ${d}-dim rows`);
    const x = new Float64Array(d);
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < d; i++) {
        const v = rows[r * d + i]!;
        if (!Number.isFinite(v)) throw new RangeError(`FeatureStats.add: feature ${i} of row ${r} is ${v}`);
        x[i] = v;
        this.sum[i]! += v;
      }
      for (let i = 0; i < d; i++) {
        const xi = x[i]!;
        if (xi === 0) continue;
        const o = i * d;
        for (let j = i; j < d; j++) this.outer[o + j]! += xi * x[j]!;
      }
    }
    this.n += count;
    return this;
  }

  merge(other: FeatureStats): this {
    if (other.dim !== this.dim) throw new RangeError(`FeatureStats.merge: dims differ (${this.dim} vs ${other.dim})`);
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! += other.sum[i]!;
    for (let i = 0; i < this.outer.length; i++) this.outer[i]! += other.outer[i]!;
    this.n += other.n;
    return this;
  }

  mean(): Float64Array {
    return this.sum.map((s) => s / this.n);
  }

  /** Unbiased sample covariance (n − 1), like numpy.cov(rowvar=False) used by the reference FID code. */
  covariance(): Float64Array {
    const d = this.dim;
    if (this.n < 2) throw new RangeError(`FID needs at least 2 feature vectors, have ${this.n}`);
    const mu = this.mean();
    const c = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = (this.outer[i * d + j]! - this.n * mu[i]! * mu[j]!) / (this.n - 1);
        c[i * d + j] = v;
        c[j * d + i] = v;
      }
    }
    return c;
  }

  /** Little-endian: magic "FSTA", u32 version 1, u32 dim, u32 n, f64 sum, upper triangle of outer. */
  toBytes(): Uint8Array {
    const d = this.dim;
    const tri = (d * (d + 1)) / 2;
    const buf = new ArrayBuffer(16 + 8 * (d + tri));
    const view = new DataView(buf);
    view.setUint32(0, 0x41545346, true); // 'FSTA'
    view.setUint32(4, 1, true);
    view.setUint32(8, d, true);
    view.setUint32(12, this.n, true);
    const f = new Float64Array(buf, 16);
    f.set(this.sum, 0);
    let k = d;
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) f[k++] = this.outer[i * d + j]!;
    return new Uint8Array(buf);
  }

  /** Reads what `toBytes` wrote; anything else is an `AttncError` naming `file`. */
  static fromBytes(bytes: Uint8Array, file: string): FeatureStats {
    const bad = (why: string) => new AttncError('ATTNC_EVAL_STATS', `${file}: ${why}`, { path: file, hint: 'FID statistics are written by `attnc eval`; rerun that shard' });
    if (bytes.byteLength < 16) throw bad('too short for FID statistics');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== 0x41545346 || view.getUint32(4, true) !== 1) throw bad('not an attnc FID statistics file (version 1)');
    const d = view.getUint32(8, true);
    if (d < 1 || d > 8192) throw bad(`feature dimension ${d} out of range`);
    const tri = (d * (d + 1)) / 2;
    if (bytes.byteLength !== 16 + 8 * (d + tri)) throw bad(`size ${bytes.byteLength} does not match dimension ${d} (expected ${16 + 8 * (d + tri)} bytes)`);
    const s = new FeatureStats(d);
    s.n = view.getUint32(12, true);
    // Copy: a Node Buffer's .buffer is a shared pool, and Float64Array needs 8-byte alignment.
    const body = new Uint8Array(bytes.byteLength - 16);
    body.set(bytes.subarray(16));
    const f = new Float64Array(body.buffer);
    s.sum.set(f.subarray(0, d));
    let k = d;
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) s.outer[i * d + j] = f[k++]!;
    return s;
  }
}

/**
 * Fréchet distance between two Gaussians fitted to feature sets:
 *   ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂)   (Heusel et al. 2017, as pytorch-fid computes it).
 */
export function frechetDistance(a: FeatureStats, b: FeatureStats): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: feature dims differ (${a.dim} vs ${b.dim})`);
  return frechetFromMoments(a.mean(), a.covariance(), b.mean(), b.covariance(), a.dim);
}

export function frechetFromMoments(mu1: Float64Array, s1: Float64Array, mu2: Float64Array, s2: Float64Array, d: number): number {
  let diff = 0;
  let tr = 0;
  for (let i = 0; i < d; i++) {
    diff += (mu1[i]! - mu2[i]!) ** 2;
    tr += s1[i * d + i]! + s2[i * d + i]!;
  }
  // Rounding can push an identical-set distance a hair below zero.
  return Math.max(0, diff + tr - 2 * traceSqrtProduct(s1, s2, d));
}
