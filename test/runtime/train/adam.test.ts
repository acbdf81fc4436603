import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../runtime/util/rng.js';
import { LeanAdamOptimizer } from '../../../runtime/train/adam.js';

describe('LeanAdamOptimizer', () => {
  it("gives tfjs Adam's numbers, moments and weights, and leaves no temporary behind", async () => {
    const shapes = [[64, 128], [3, 3, 16, 32], [200], [1000, 50]];
    // Values from the JS Rng: tfjs-node's seeded randomNormal does not repeat across calls.
    const normal = (s: number[], seed: number) => tf.tensor(new Rng(seed).fillNormal(new Float32Array(s.reduce((a, b) => a * b))), s);
    const make = (tag: string) => shapes.map((s, i) => tf.tidy(() => tf.variable(normal(s, i), true, `adam-test-${tag}-${i}`)));
    const va = make('stock');
    const vb = make('lean');
    const stock: tf.Optimizer = tf.train.adam(0.01, 0.5, 0.999, 1e-8);
    const lean: tf.Optimizer = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8);
    expect(lean).toBeInstanceOf(tf.AdamOptimizer);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const grads = shapes.map((s, i) => normal(s, 100 * step + i + 10));
      stock.applyGradients(Object.fromEntries(va.map((v, i) => [v.name, grads[i]!])));
      lean.applyGradients(Object.fromEntries(vb.map((v, i) => [v.name, grads[i]!])));
      tf.dispose(grads);
    }
    for (let i = 0; i < shapes.length; i++) expect(Array.from(vb[i]!.dataSync())).toEqual(Array.from(va[i]!.dataSync()));
    const [wa, wb] = [await stock.getWeights(), await lean.getWeights()];
    expect(wb.map((w) => w.name.replace("-lean-", "-stock-"))).toEqual(wa.map((w) => w.name));
    for (let i = 0; i < wa.length; i++) expect(Array.from(wb[i]!.tensor.dataSync())).toEqual(Array.from(wa[i]!.tensor.dataSync()));
    expect(lean.iterations).toBe(3);
    // No tensor left behind beyond the optimizer's own state (created on the first step).
    const afterState = tf.memory().numTensors;
    const g = shapes.map((s) => tf.ones(s));
    lean.applyGradients(Object.fromEntries(vb.map((v, i) => [v.name, g[i]!])));
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(afterState);
    expect(afterState).toBeGreaterThan(before);
    stock.dispose();
    lean.dispose();
    tf.dispose([...va, ...vb]);
  });
});
