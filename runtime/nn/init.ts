import type { Module } from './module.js';
import { Rng } from './rng.js';

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

/** Row-major `[rows, cols]` matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols). */
export function orthogonalMatrix(rows: number, cols: number, rng: Rng): Float64Array {
  const a = new Float64Array(rows * cols);
  rng.fillNormal(a);
  const wide = rows < cols;
  // Work on the tall orientation T (m×n, m ≥ n) stored column-major.
  const m = wide ? cols : rows;
  const n = wide ? rows : cols;
  let t: Float64Array;
  if (wide) {
    t = a; // column j of Aᵀ is row j of A: already contiguous
  } else {
    t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * cols + j]!;
  }
  const q = householderQ(t, m, n);
  const res = new Float64Array(rows * cols);
  if (wide) {
    res.set(q); // row o of Qᵀ = column o of Q
  } else {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) res[i * cols + j] = q[j * m + i]!;
  }
  return res;
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
