/**
 * The one source of the generator's noise: z and the conditioning-augmentation ε, drawn from the
 * seeded JS `Rng` (runtime/util/rng.ts), never from tfjs op seeds, so the same key gives the same
 * numbers on every backend. A key is (seed, purpose, step or sample index):
 *
 * - `train`: one batch per training step, a function of (phase seed, step), so a resumed run draws
 *   what an uninterrupted one would. The step's seed (`stepSeed`) also fixes its dropout masks.
 * - `sample`: one row per sample, a function of (seed, the sample's index) alone, so `attnc sample`,
 *   `attnc eval` and the training sample grids give a caption the same noise whatever the batch
 *   size or shard it lands in.
 *
 * No Node built-in here: the inference path (a browser bundle) draws its noise through this file.
 */
import * as tf from '@tensorflow/tfjs';
import { hash32, Rng } from '../util/rng.js';
import type { NoiseDims } from './plan.js';

export type { NoiseDims } from './plan.js';

/** One batch of the generator's random inputs: z [B, z], ε [B, condition]. */
export type Noise = { z: tf.Tensor2D; eps: tf.Tensor2D };

export type NoiseKey =
  | { purpose: 'train'; seed: number; step: number; batchSize: number }
  | { purpose: 'sample'; seed: number; indices: readonly number[] };

/** The seed of one training step (phase seed, step): its dropout masks and its noise derive from it. */
export function stepSeed(phaseSeed: number, step: number): number {
  return hash32(phaseSeed ^ 0x51ed270b, step) & 0x7fffffff;
}

/** A standard normal draw truncated to [−bound, bound], by rejection (as scipy's truncnorm samples DF-GAN's z). */
export function truncatedNormal(rng: Rng, bound: number): number {
  for (;;) {
    const x = rng.normal();
    if (Math.abs(x) <= bound) return x;
  }
}

/** Draws the noise a key names; the caller owns (and disposes) the two tensors. */
export function drawNoise(key: NoiseKey, dims: NoiseDims): Noise {
  if (key.purpose === 'train') {
    // The whole batch from one stream per step; z and ε from independent forks of it.
    const b = key.batchSize;
    const rng = new Rng(`noise:${stepSeed(key.seed, key.step)}`);
    return {
      z: tf.tensor2d(rng.fork('z').fillNormal(new Float32Array(b * dims.z)), [b, dims.z]),
      eps: tf.tensor2d(rng.fork('eps').fillNormal(new Float32Array(b * dims.condition)), [b, dims.condition]),
    };
  }
  // One stream per sample: its z, then its ε.
  const b = key.indices.length;
  const z = new Float32Array(b * dims.z);
  const eps = new Float32Array(b * dims.condition);
  key.indices.forEach((g, row) => {
    const rng = new Rng(`attnc:sample:${key.seed}:${g}`);
    for (let i = 0; i < dims.z; i++) z[row * dims.z + i] = dims.truncation === null ? rng.normal() : truncatedNormal(rng, dims.truncation);
    for (let i = 0; i < dims.condition; i++) eps[row * dims.condition + i] = rng.normal();
  });
  return { z: tf.tensor2d(z, [b, dims.z]), eps: tf.tensor2d(eps, [b, dims.condition]) };
}
