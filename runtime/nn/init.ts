import * as tf from '@tensorflow/tfjs';
import { orthogonalTensor, orthogonalTfLayout } from './orthogonal.js';
import type { Rng } from '../util/rng.js';

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
  /** N(0, 1) draws divided by (their L2 norm + 1e-12): spectral norm's starting `u`, `v`. */
  | { kind: 'unit_normal' }
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
    case 'unit_normal': {
      rng.fillNormal(out, 0, 1);
      let sq = 0;
      for (const v of out) sq += v * v;
      const norm = Math.sqrt(sq) + 1e-12;
      for (let i = 0; i < n; i++) out[i]! /= norm;
      return out;
    }
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
 * The values of `init` for `shape` as a float32 tensor. Same numbers as `initialValues`, but large
 * orthogonal weights are orthonormalised on the backend and never copied through JS.
 */
export function initialTensor(init: Initializer, shape: readonly number[], rng: Rng): tf.Tensor {
  if (init === 'zeros') return tf.zeros([...shape]);
  if (init === 'ones') return tf.ones([...shape]);
  if (init.kind === 'orthogonal') return orthogonalTensor(shape, init.gain, rng);
  return tf.tensor(initialValues(init, shape, rng), [...shape], 'float32');
}
