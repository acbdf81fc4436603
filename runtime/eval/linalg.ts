/**
 * Float64 dense linear algebra for the Fréchet distance: symmetric eigendecomposition
 * (Householder tridiagonalisation, then implicit QL with Wilkinson shifts) and what FID needs
 * from it. Matrices are row-major `Float64Array`s of n·n values. Covariances are symmetric
 * positive semi-definite, so the symmetric route is exact where a general `sqrtm` of the
 * non-symmetric product Σ₁Σ₂ would need a Schur decomposition:
 *   tr √(Σ₁Σ₂) = tr √(√Σ₁ Σ₂ √Σ₁),
 * because Σ₁Σ₂ = √Σ₁ (√Σ₁ Σ₂ √Σ₁) √Σ₁⁻¹ is similar to a symmetric PSD matrix (for singular Σ₁
 * by continuity). Checked against scipy.linalg.sqrtm on fixtures (test/fixtures/make/fid.py).
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** Column j is the eigenvector of values[j] (row-major n·n); absent when not asked for. */
  vectors?: Float64Array;
}

function checkSquare(a: Float64Array, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) throw new RangeError(`${what}: expected ${n}×${n} values, got ${a.length}`);
}

/** Largest |a_ij − a_ji| relative to the largest |a_ij|. */
export function asymmetry(a: Float64Array, n: number): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      scale = Math.max(scale, Math.abs(a[i * n + j]!));
      if (j > i) diff = Math.max(diff, Math.abs(a[i * n + j]! - a[j * n + i]!));
    }
  }
  return scale === 0 ? 0 : diff / scale;
}

/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric matrix. The input is not modified;
 * only its lower triangle is read. O(n³): about 2 s for n = 1024 in Node.
 */
export function symmetricEigen(a: Float64Array, n: number, opts: { vectors?: boolean } = {}): SymmetricEigen {
  checkSquare(a, n, 'symmetricEigen');
  const wantV = opts.vectors ?? true;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new RangeError(`symmetricEigen: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}`);
  // z holds the accumulated transformations (row-major), d the diagonal, e the sub-diagonal.
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) z[i * n + j] = z[j * n + i] = a[i * n + j]!;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(z, n, d, e);
  tridiagonalQL(z, n, d, e, wantV);
  // Sort ascending (QL leaves them unordered).
  const order = Array.from(d, (_, i) => i).sort((p, q) => d[p]! - d[q]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  if (!wantV) return { values };
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = z[r * n + order[c]!]!;
  return { values, vectors };
}

/**
 * Householder reduction of the symmetric matrix in `z` to tridiagonal form (d, e with e[0] = 0);
 * on return z holds the orthogonal transformation Q (A = Q T Qᵀ).
 */
function tridiagonalize(z: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = z[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    // Reduce row i: scale to avoid under/overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = z[(i - 1) * n + j]!;
        z[i * n + j] = 0;
        z[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // Apply the similarity transformation to the remaining columns.
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        z[j * n + i] = f;
        g = e[j]! + z[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += z[k * n + j]! * d[k]!;
          e[k]! += z[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) z[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = z[(i - 1) * n + j]!;
        z[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations (also moves T's diagonal, parked on z's diagonal, into d).
  for (let i = 0; i < n - 1; i++) {
    z[(n - 1) * n + i] = z[i * n + i]!;
    z[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = z[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += z[k * n + i + 1]! * z[k * n + j]!;
        for (let k = 0; k <= i; k++) z[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) z[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = z[(n - 1) * n + j]!;
    z[(n - 1) * n + j] = 0;
  }
  z[(n - 1) * n + n - 1] = 1;
  e.copyWithin(0, 1);
  e[n - 1] = 0;
}

/** Implicit QL on the tridiagonal (d, e); eigenvalues into d, vectors into z's columns when `wantV`. */
function tridiagonalQL(z: Float64Array, n: number, d: Float64Array, e: Float64Array, wantV: boolean): void {
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: no convergence (matrix has NaN or Inf?)');
        // Wilkinson shift.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        // Implicit QL transformation.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (wantV) {
            for (let k = 0; k < n; k++) {
              const zk1 = z[k * n + i + 1]!;
              const zk = z[k * n + i]!;
              z[k * n + i + 1] = s * zk + c * zk1;
              z[k * n + i] = c * zk - s * zk1;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/** C = A·B for n×n row-major matrices (i-k-j loop order: rows of B stream through the cache). */
export function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k]!;
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j]! += aik * b[bk + j]!;
    }
  }
  return c;
}

/**
 * The principal square root of a symmetric PSD matrix, V·diag(√max(λ, 0))·Vᵀ. Eigenvalues below
 * −tolerance·max|λ| mean the input is not PSD and throw (rounding gives tiny negative ones, which are clamped).
 */
export function sqrtmPsd(a: Float64Array, n: number, tolerance = 1e-8): Float64Array {
  const { values, vectors } = symmetricEigen(a, n, { vectors: true });
  const v = vectors!;
  const top = Math.max(...Array.from(values, Math.abs), 0);
  const roots = values.map((l) => {
    if (l < -tolerance * top) throw new RangeError(`sqrtmPsd: matrix is not positive semi-definite (eigenvalue ${l} of max ${top})`);
    return Math.sqrt(Math.max(l, 0));
  });
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const vik = v[i * n + k]! * roots[k]!;
      if (vik === 0) continue;
      for (let j = i; j < n; j++) out[i * n + j]! += vik * v[j * n + k]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
  return out;
}

/** tr √(A·B) for symmetric PSD A and B, via the similar symmetric matrix √A·B·√A. */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  checkSquare(a, n, 'traceSqrtProduct');
  checkSquare(b, n, 'traceSqrtProduct');
  const ra = sqrtmPsd(a, n);
  const m = matmul(matmul(ra, b, n), ra, n);
  // Symmetrise away rounding so the symmetric solver sees exactly what it assumes.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const avg = 0.5 * (m[i * n + j]! + m[j * n + i]!);
      m[i * n + j] = m[j * n + i] = avg;
    }
  }
  const { values } = symmetricEigen(m, n, { vectors: false });
  let t = 0;
  for (const l of values) t += Math.sqrt(Math.max(l, 0));
  return t;
}
