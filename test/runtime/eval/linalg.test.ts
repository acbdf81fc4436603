import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frechetFromMoments } from '../../../runtime/eval/fid.js';
import { matmul, sqrtmPsd, symmetricEigen, traceSqrtProduct } from '../../../runtime/eval/linalg.js';

interface Case { n: number; full_rank: boolean; a: number[]; b: number[]; mu1: number[]; mu2: number[]; sqrtm_a: number[] | null; trace_sqrtm_ab: number; fid: number }
const fixture = JSON.parse(fs.readFileSync(new URL('../../fixtures/eval/fid.json', import.meta.url), 'utf8')) as { cases: Case[] };

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('float64 linear algebra vs scipy.linalg.sqrtm (test/fixtures/make/fid.py)', () => {
  it('has the fixture cases, full rank and rank-deficient', () => {
    expect(fixture.cases.map((c) => c.n)).toEqual([3, 8, 16, 32, 40]);
  });

  for (const c of fixture.cases) {
    it(`n=${c.n}: sqrtm, tr √(AB) and the Fréchet distance match scipy`, () => {
      const a = Float64Array.from(c.a);
      const b = Float64Array.from(c.b);
      if (c.sqrtm_a) expect(maxAbs(sqrtmPsd(a, c.n), c.sqrtm_a)).toBeLessThan(1e-9);
      // Singular products: both methods take square roots of round-off-sized eigenvalues (≈ √ε each).
      const tol = c.full_rank ? 1e-10 : 1e-7;
      expect(Math.abs(traceSqrtProduct(a, b, c.n) - c.trace_sqrtm_ab) / c.trace_sqrtm_ab).toBeLessThan(tol);
      const d = frechetFromMoments(Float64Array.from(c.mu1), a, Float64Array.from(c.mu2), b, c.n);
      expect(Math.abs(d - c.fid) / c.fid).toBeLessThan(tol);
    });
  }

  it('eigendecomposition reconstructs the matrix and orders eigenvalues ascending', () => {
    const n = 50;
    const x = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const xt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xt[j * n + i] = x[i * n + j]!;
    const a = matmul(x, xt, n);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    const rec = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) rec[i * n + j]! += vectors![i * n + k]! * values[k]! * vectors![j * n + k]!;
    expect(maxAbs(rec, a)).toBeLessThan(1e-10);
    expect(maxAbs(symmetricEigen(a, n, { vectors: false }).values, values)).toBeLessThan(1e-10);
  });

  it('rejects a matrix that is not positive semi-definite and one with NaN', () => {
    expect(() => sqrtmPsd(Float64Array.from([1, 0, 0, -1]), 2)).toThrow(/not positive semi-definite/);
    expect(() => symmetricEigen(Float64Array.from([NaN, 1, 1, 2]), 2)).toThrow(/entry \(0, 0\) is NaN/);
  });
});
