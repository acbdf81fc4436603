import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../../../runtime/util/rng.js';

/** Deterministic N(0,1) tensor. */
export function randn(shape: number[], seed: number | string, scale = 1): tf.Tensor {
  const r = new Rng(typeof seed === 'number' ? seed : seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * r.normal()), shape);
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

export function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(tol);
}

/** Every listed variable gets a finite gradient that is not all zeros. */
export async function expectAllGradsNonZero(grads: tf.NamedTensorMap, names: Array<[string, tf.Variable]>): Promise<void> {
  for (const [name, v] of names) {
    const g = grads[v.name];
    expect(g, `gradient for ${name}`).toBeTruthy();
    const data = await g!.data();
    let finite = true;
    let nonZero = false;
    for (const x of data) {
      if (!Number.isFinite(x)) finite = false;
      if (x !== 0) nonZero = true;
    }
    expect(finite, `finite gradient for ${name}`).toBe(true);
    expect(nonZero, `non-zero gradient for ${name}`).toBe(true);
  }
}

/** Our TF-layout shape in PyTorch layout: conv [kh,kw,in,out] → [out,in,kh,kw], linear [in,out] → [out,in]. */
export function torchShape(shape: number[]): number[] {
  if (shape.length === 4) return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (shape.length === 2) return [shape[1]!, shape[0]!];
  return shape;
}
