import * as tf from '@tensorflow/tfjs';
import type { Module } from './module.js';
import { Rng } from '../util/rng.js';

/**
 * How a parameter or buffer gets its values. Every kind is drawn from a JS-side `Rng`, never from
 * tfjs random ops, so the same seed gives the same weights on every backend.
 *
 * Weights are stored in TensorFlow layout with the output axis LAST (conv `[kh,kw,in,out]`,
 * linear `[in,out]`). The fan-in based and orthogonal kinds read shapes that way and map to
 * PyTorch's `[out, in, kh, kw]` / `[out, in]` view internally.
 */
export type Initializer =
  | 'zeros'
  | 'ones'
  | { kind: 'uniform'; limit: number }
  | { kind: 'normal'; mean: number; std: number }
  /** PyTorch `nn.init.orthogonal_` over the flattened `[out, in·kh·kw]` view. */
  | { kind: 'orthogonal'; gain: number }
  /**
   * PyTorch's default `reset_parameters` for Conv*d / Linear: U(−1/√fanIn, 1/√fanIn) for both the
   * weight (kaiming_uniform with a=√5 reduces to this) and the bias. For a weight, fanIn is taken
   * from the shape (product of all axes but the last); a bias must pass the weight's `fanIn`.
   */
  | { kind: 'torch_default_conv' | 'torch_default_linear'; fanIn?: number };

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Draw the values of `init` for `shape` (row-major, TF layout). */
export function initialValues(init: Initializer, shape: readonly number[], rng: Rng): Float32Array {
  const n = shapeSize(shape);
  const out = new Float32Array(n);
  if (init === 'zeros') return out;
  if (init === 'ones') return out.fill(1);
  switch (init.kind) {
    case 'uniform':
      return rng.fillUniform(out, -init.limit, init.limit);
    case 'normal':
      return rng.fillNormal(out, init.mean, init.std);
    case 'torch_default_conv':
    case 'torch_default_linear': {
      const fanIn = init.fanIn ?? (shape.length >= 2 ? n / shape[shape.length - 1]! : n);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      return rng.fillUniform(out, -bound, bound);
    }
    case 'orthogonal':
      return orthogonalTfLayout(shape, init.gain, rng);
  }
}

/**
 * `nn.init.orthogonal_` semantics: flatten to `[rows = out, cols = in·kh·kw]` (PyTorch order: in
 * major, then kh, kw), draw N(0,1), QR of the tall orientation, fix signs by diag(R), scale by gain.
 * The result is written back in TF layout `[...spatial, in, out]`.
 */
export function orthogonalTfLayout(shape: readonly number[], gain: number, rng: Rng): Float32Array {
  if (shape.length < 2) throw new Error(`orthogonal init needs a weight with >= 2 axes, got [${shape.join(',')}]`);
  const out = shape[shape.length - 1]!;
  const inC = shape[shape.length - 2]!;
  const spatial = shapeSize(shape.slice(0, -2));
  const rows = out;
  const cols = inC * spatial;
  const torchFlat = orthogonalMatrix(rows, cols, rng); // row-major [rows, cols]
  const res = new Float32Array(rows * cols);
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < inC; i++) {
      for (let s = 0; s < spatial; s++) {
        res[(s * inC + i) * out + o] = gain * torchFlat[o * cols + i * spatial + s]!;
      }
    }
  }
  return res;
}

/** Above this many multiply-adds (n²·m) the QR runs as CholeskyQR2 with tfjs matMuls. */
const JS_QR_LIMIT = 5e7;

/**
 * Row-major `[rows, cols]` matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols):
 * the Q of the QR of a N(0,1) matrix with sign(diag R) = +1, as `nn.init.orthogonal_` computes it.
 *
 * Small matrices use Householder QR in float64 JS. Large ones (e.g. D256's 2048×16384 conv, which
 * would take minutes in JS) use CholeskyQR(2): L = chol(W·Wᵀ), W ← L⁻¹·W, once or twice, with the two big
 * matMuls on the tfjs backend in float32 and the n×n Cholesky/inverse in float64 JS. The Cholesky
 * R factor has a positive diagonal, so the result is the same Q (up to float32 rounding, ~1e-6).
 * The normals are the same JS draws either way, so the weights remain a function of the seed.
 */
export function orthogonalMatrix(
  rows: number,
  cols: number,
  rng: Rng,
  method: 'auto' | 'householder' | 'cholesky' = 'auto',
): Float64Array {
  const a = new Float64Array(rows * cols);
  rng.fillNormal(a);
  const wide = rows < cols;
  const n = wide ? rows : cols; // number of orthonormal vectors
  const m = wide ? cols : rows; // their length
  if (method === 'cholesky' || (method === 'auto' && n * n * m > JS_QR_LIMIT)) {
    const q = choleskyQR2Rows(wide ? a : transpose(a, rows, cols), n, m);
    if (q) return wide ? q : transpose(q, n, m);
  }
  // Work on the tall orientation T (m×n, m ≥ n) stored column-major.
  let t: Float64Array;
  if (wide) {
    t = a; // column j of Aᵀ is row j of A: already contiguous
  } else {
    t = transpose(a, rows, cols);
  }
  const q = householderQ(t, m, n);
  // q is column-major m×n, i.e. row-major n×m: the orthonormal vectors as rows.
  return wide ? q : transpose(q, n, m);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/** Orthonormalise the rows of W (row-major n×m, n ≤ m); undefined if W·Wᵀ is not numerically SPD. */
function choleskyQR2Rows(w: Float64Array, n: number, m: number): Float64Array | undefined {
  let cur = tf.tensor2d(Float32Array.from(w), [n, m]);
  // A Gaussian n×m has condition number ≈ (√m+√n)/(√m−√n): ≤ 3 for m ≥ 4n, where one float32
  // pass is already orthonormal to ~1e-6; nearer to square, the second pass restores it.
  const passes = m >= 4 * n ? 1 : 2;
  try {
    for (let pass = 0; pass < passes; pass++) {
      const gram = tf.tidy(() => tf.matMul(cur, cur, false, true));
      const g = Float64Array.from(gram.dataSync());
      gram.dispose();
      const l = cholesky(g, n);
      if (!l) return undefined;
      const linv = tf.tensor2d(Float32Array.from(invertLower(l, n)), [n, n]);
      const next = tf.matMul(linv, cur) as tf.Tensor2D;
      linv.dispose();
      cur.dispose();
      cur = next;
    }
    return Float64Array.from(cur.dataSync());
  } finally {
    cur.dispose();
  }
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

/**
 * AttnGAN's `weights_init` (`miscc/utils.py:286-296`, reference §8.2), applied to G and every D:
 * Conv and Linear weights orthogonal (gain 1), Linear bias 0, BatchNorm weight ~ N(1, 0.02), bias 0.
 * Conv biases are left at PyTorch's default init (the original does not touch them). Every other
 * parameter and buffer is re-drawn with its own registered initializer, so the whole module is a
 * function of the seed. Each tensor uses `rng.fork(<dotted name>)`.
 */
export function initLikeAttnGAN(module: Module, rng: Rng): void {
  module.resetParameters(rng, (role, localName) => {
    if ((role === 'conv' || role === 'linear') && localName === 'weight') return { kind: 'orthogonal', gain: 1 };
    if (role === 'linear' && localName === 'bias') return 'zeros';
    if (role === 'batchnorm' && localName === 'weight') return { kind: 'normal', mean: 1, std: 0.02 };
    if (role === 'batchnorm' && localName === 'bias') return 'zeros';
    return undefined;
  });
}
