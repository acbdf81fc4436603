import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';

/**
 * Orthogonal initialisation (`nn.init.orthogonal_`): the orthonormal factor Q of the QR of an
 * N(0,1) matrix with sign(diag R) = +1, so that the flattened PyTorch view `[out, in·kh·kw]` has
 * orthonormal rows (or columns, when out > in·kh·kw).
 *
 * The normals always come from the JS `Rng`, drawn straight in TF layout `[...spatial, in, out]`,
 * i.e. as the matrix C = `[K = in·kh·kw, out]`. Orthonormalising C's columns (K ≥ out) or rows is
 * the same as orthonormalising the PyTorch view's rows (columns), whose columns are only permuted
 * (a column permutation commutes with the QR of the rows), and the result needs no transpose.
 *
 * Small matrices are orthonormalised by Householder QR in float64 JS (bit-identical on every
 * backend). Large ones (D256's 2048×16384 conv would take minutes in JS) run CholeskyQR on the tfjs
 * backend: Q = C·L⁻ᵀ with L = chol(CᵀC), where L⁻¹ comes from recursive 2×2 blocking (float64 JS
 * only on 128×128 diagonal leaves, everything else backend matMuls). The Cholesky R = Lᵀ has a
 * positive diagonal, so this is the same Q as Householder up to float32 rounding (~1e-6):
 * deterministic run to run on one backend, equal to float32 rounding across backends.
 */

/** Above this many multiply-adds (n²·m) the QR runs on the backend. */
export const JS_QR_LIMIT = 5e7;
/** ... or above this many when the matrix is at least 2:1 (condition number of the Gaussian ≤ 6). */
const JS_QR_LIMIT_OBLONG = 1e6;
/** Diagonal blocks at or below this size are factorised in float64 JS. */
const LEAF = 128;

/**
 * Row-major `[rows, cols]` N(0,1) matrix made orthonormal along its shorter side: orthonormal rows
 * (rows ≤ cols) or columns (rows > cols). `method` forces one algorithm (tests compare them).
 */
export function orthogonalMatrix(
  rows: number,
  cols: number,
  rng: Rng,
  method: 'auto' | 'householder' | 'cholesky' = 'auto',
): Float64Array {
  const a = rng.fillNormal(new Float64Array(rows * cols));
  if (method === 'cholesky' || (method === 'auto' && useBackend(rows, cols))) {
    const q = tf.tidy(() => orthonormalOnBackend(tf.tensor2d(Float32Array.from(a), [rows, cols])));
    if (q) {
      const out = Float64Array.from(q.dataSync());
      q.dispose();
      return out;
    }
  }
  return householderOrthogonal(a, rows, cols);
}

/** `orthogonal_` times `gain` for a weight in TF layout `[...spatial, in, out]` (linear `[in, out]`). */
export function orthogonalTensor(shape: readonly number[], gain: number, rng: Rng): tf.Tensor {
  const [k, out] = matrixView(shape);
  if (useBackend(k, out)) {
    const a = rng.fillNormal(new Float32Array(k * out));
    const res = tf.tidy(() => {
      const q = orthonormalOnBackend(tf.tensor2d(a, [k, out]));
      if (!q) return undefined;
      const w = q.reshape([...shape]);
      return gain === 1 ? w : tf.mul(w, gain);
    });
    if (res) return res;
    // Not positive definite in float32: Householder on the same normals.
    const q = householderOrthogonal(Float64Array.from(a), k, out);
    return tf.tensor(scaled(q, gain), [...shape], 'float32');
  }
  return tf.tensor(orthogonalTfLayout(shape, gain, rng), [...shape], 'float32');
}

/** `orthogonal_` in TF layout as JS values (`orthogonalTensor` is the fast path for big weights). */
export function orthogonalTfLayout(shape: readonly number[], gain: number, rng: Rng): Float32Array {
  const [k, out] = matrixView(shape);
  return scaled(orthogonalMatrix(k, out, rng), gain);
}

function scaled(q: Float64Array, gain: number): Float32Array {
  const res = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) res[i] = gain * q[i]!;
  return res;
}

/** TF-layout weight as the matrix `[K = product of all axes but the last, out]`. */
function matrixView(shape: readonly number[]): [number, number] {
  if (shape.length < 2) throw new Error(`orthogonal init needs a weight with >= 2 axes, got [${shape.join(',')}]`);
  const out = shape[shape.length - 1]!;
  return [shape.slice(0, -1).reduce((p, d) => p * d, 1), out];
}

function useBackend(rows: number, cols: number): boolean {
  const n = Math.min(rows, cols);
  const m = Math.max(rows, cols);
  const work = n * n * m;
  return work > JS_QR_LIMIT || (work > JS_QR_LIMIT_OBLONG && m >= 2 * n);
}

class NotPositiveDefinite extends Error {}

/**
 * CholeskyQR of A `[rows, cols]` on the backend (call inside `tf.tidy`): A made orthonormal along
 * its shorter side, or undefined when the Gram matrix is not numerically positive definite in
 * float32 (near-square Gaussians can be that ill-conditioned; the caller then uses Householder).
 */
function orthonormalOnBackend(a: tf.Tensor2D): tf.Tensor2D | undefined {
  const [rows, cols] = a.shape;
  const tall = rows > cols; // orthonormal columns: Gram AᵀA, Q = A·L⁻ᵀ; else rows: AAᵀ, Q = L⁻¹·A
  const n = Math.min(rows, cols);
  const m = Math.max(rows, cols);
  // A Gaussian n×m has condition number ≈ (√m+√n)/(√m−√n): ≤ 3 for m ≥ 4n, where one float32
  // pass is already orthonormal to ~1e-6; nearer to square, a second pass restores it.
  const passes = m >= 4 * n ? 1 : 2;
  let cur = a;
  try {
    for (let pass = 0; pass < passes; pass++) {
      const linv = invCholesky(tf.matMul(cur, cur, tall, !tall) as tf.Tensor2D);
      cur = (tall ? tf.matMul(cur, linv, false, true) : tf.matMul(linv, cur)) as tf.Tensor2D;
    }
  } catch (e) {
    if (e instanceof NotPositiveDefinite) return undefined;
    throw e;
  }
  return cur;
}

/**
 * L⁻¹ for the lower Cholesky factor L of SPD `g` (call inside `tf.tidy`). With
 * G = [[G11, ·], [G21, G22]]: L11⁻¹ recursively, L21 = G21·L11⁻ᵀ, S = G22 − L21·L21ᵀ, L22⁻¹
 * recursively, and L⁻¹ = [[L11⁻¹, 0], [−L22⁻¹·L21·L11⁻¹, L22⁻¹]].
 */
function invCholesky(g: tf.Tensor2D): tf.Tensor2D {
  const n = g.shape[0];
  if (n <= LEAF) {
    const l = cholesky(Float64Array.from(g.dataSync()), n);
    if (!l) throw new NotPositiveDefinite();
    return tf.tensor2d(Float32Array.from(invertLower(l, n)), [n, n]);
  }
  const h = Math.ceil(n / 2 / LEAF) * LEAF;
  const a = invCholesky(g.slice([0, 0], [h, h]));
  const l21 = tf.matMul(g.slice([h, 0], [n - h, h]), a, false, true);
  const s = tf.sub(g.slice([h, h], [n - h, n - h]), tf.matMul(l21, l21, false, true)) as tf.Tensor2D;
  const c = invCholesky(s);
  const x21 = tf.neg(tf.matMul(c, tf.matMul(l21, a)));
  return tf.concat([tf.concat([a, tf.zeros([h, n - h])], 1), tf.concat([x21, c], 1)], 0) as tf.Tensor2D;
}

/** Lower Cholesky factor of SPD row-major n×n (float64), or undefined on a non-positive pivot. */
function cholesky(g: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = g[rj + j]!;
    for (let k = 0; k < j; k++) s -= l[rj + k]! * l[rj + k]!;
    if (!(s > 0)) return undefined;
    const d = Math.sqrt(s);
    l[rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = g[ri + j]!;
      for (let k = 0; k < j; k++) t -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = t / d;
    }
  }
  return l;
}

/** Inverse of a lower-triangular row-major n×n matrix by row-wise forward substitution. */
function invertLower(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // row i of X = (e_i − Σ_{k<i} L[i,k]·X[k,:]) / L[i,i]; X[k,:] is zero beyond column k.
    for (let k = 0; k < i; k++) {
      const c = l[ri + k]!;
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) x[ri + j]! -= c * x[rk + j]!;
    }
    x[ri + i]! += 1;
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j <= i; j++) x[ri + j]! *= inv;
  }
  return x;
}

/** Householder QR in float64 JS of the row-major normals `a` (consumed). */
function householderOrthogonal(a: Float64Array, rows: number, cols: number): Float64Array {
  const wide = rows < cols;
  const n = wide ? rows : cols; // number of orthonormal vectors
  const m = wide ? cols : rows; // their length
  // Work on the tall orientation T (m×n) stored column-major: for a wide A, column j of Aᵀ is row j of A.
  const t = wide ? a : transpose(a, rows, cols);
  const q = householderQ(t, m, n);
  // q is column-major m×n, i.e. row-major n×m: the orthonormal vectors as rows.
  return wide ? q : transpose(q, n, m);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/**
 * Thin Q (column-major m×n) of the Householder QR of `a` (column-major m×n, m ≥ n; overwritten),
 * with columns multiplied by sign(diag R) as torch's orthogonal_ does.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = new Array(n);
  const betas = new Float64Array(n);
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const col = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[col + i]! * a[col + i]!;
    const norm = Math.sqrt(norm2);
    const x0 = a[col + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = a.slice(col + k, col + m);
    v[0] = x0 - alpha;
    const vnorm2 = norm2 - x0 * x0 + v[0]! * v[0]!;
    const beta = vnorm2 > 0 ? 2 / vnorm2 : 0;
    vs[k] = v;
    betas[k] = beta;
    diag[k] = alpha;
    const len = m - k;
    for (let j = k + 1; j < n; j++) {
      const off = j * m + k;
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i]! * a[off + i]!;
      s *= beta;
      if (s !== 0) for (let i = 0; i < len; i++) a[off + i]! -= s * v[i]!;
    }
  }
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    const beta = betas[k]!;
    const len = m - k;
    for (let j = k; j < n; j++) {
      const off = j * m + k;
      let s = 0;
      for (let i = 0; i < len; i++) s += v[i]! * q[off + i]!;
      s *= beta;
      if (s !== 0) for (let i = 0; i < len; i++) q[off + i]! -= s * v[i]!;
    }
  }
  for (let j = 0; j < n; j++) {
    if (diag[j]! < 0) for (let i = 0; i < m; i++) q[j * m + i] = -q[j * m + i]!;
  }
  return q;
}
