import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNorm, Conv2d } from '../../../runtime/nn/layers.js';
import { leanBackprop } from '../../../runtime/optim/lean-backprop.js';
import { itInternals } from '../../native.js';

describe('leanBackprop', () => {
  itInternals('gives the same gradients as tfjs with far less memory alive at the end of the backward pass', () => {
    const conv1 = new Conv2d({ inChannels: 3, outChannels: 16, kernel: 3, padding: 1, bias: true });
    const bn = new BatchNorm({ channels: 16 });
    const conv2 = new Conv2d({ inChannels: 16, outChannels: 16, kernel: 3, padding: 1 });
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const vars = [...conv1.parameters(), ...bn.parameters(), ...conv2.parameters()];
    // A probe right after the first layer: its gradient runs (nearly) last, when the backward pass is
    // done with everything else; it records how many bytes are alive then.
    let bytesAtEnd = 0;
    const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: tf.clone(args[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        bytesAtEnd = tf.memory().numBytes;
        return tf.clone(dy as tf.Tensor);
      },
    }));
    const f = () => {
      const h = tf.relu(bn.apply(probe(conv1.apply(x)) as tf.Tensor4D, true)) as tf.Tensor4D;
      const h2 = conv2.apply(tf.add(h, tf.mul(h, h)) as tf.Tensor4D); // a tensor used twice
      return tf.mean(tf.square(tf.concat([h2, h], 3))) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const plain = tf.variableGrads(f, vars);
    const plainBytes = bytesAtEnd;
    const lean = tf.variableGrads(leanBackprop(f), vars);
    const leanBytes = bytesAtEnd;
    expect(lean.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0]!, 6);
    for (const v of vars) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(plain.grads[v.name]!, lean.grads[v.name]!))).dataSync()[0]!);
      expect(d).toBe(0);
    }
    // Activations are [4,32,32,16] floats = 256 KiB each; tfjs alone keeps all of them and their gradients.
    expect(plainBytes - leanBytes).toBeGreaterThan(8 * 256 * 1024);
    tf.dispose([plain.value, lean.value, ...Object.values(plain.grads), ...Object.values(lean.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    for (const m of [conv1, bn, conv2]) m.dispose();
  });

  itInternals('frees the nodes whose inputs the engine prunes (frozen weights) and what gradient functions compute eagerly', () => {
    // conv1 (trained) → 4 × [frozen conv → tf.batchNorm → relu] → loss. The frozen convs' filters are on
    // no path to the trained variables, so the engine walks those nodes with their `x` input only, and
    // tf.batchNorm's gradient computes full-size x − mean and dy·γ before its closures run.
    const conv1 = new Conv2d({ inChannels: 3, outChannels: 16, kernel: 3, padding: 1 });
    const frozen = Array.from({ length: 4 }, () => new Conv2d({ inChannels: 16, outChannels: 16, kernel: 3, padding: 1 }));
    for (const c of frozen) c.freeze();
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const [gamma, beta] = [tf.ones([16]), tf.zeros([16])];
    const vars = conv1.parameters();
    let bytesAtEnd = 0;
    const probe = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: tf.clone(args[0] as tf.Tensor),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        bytesAtEnd = tf.memory().numBytes;
        return tf.clone(dy as tf.Tensor);
      },
    }));
    const f = () => {
      let h = probe(conv1.apply(x)) as tf.Tensor4D;
      for (const c of frozen) {
        // In a tidy, as every runtime module: only the block's output outlives it.
        h = tf.tidy(() => {
          const y = c.apply(h);
          const { mean, variance } = tf.moments(y, [0, 1, 2]);
          return tf.relu(tf.batchNorm(y, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D;
        });
      }
      return tf.mean(tf.square(h)) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const base = tf.memory().numBytes;
    const plain = tf.variableGrads(f, vars);
    const lean = tf.variableGrads(leanBackprop(f), vars);
    const act = 4 * 32 * 32 * 16 * 4; // one activation, 256 KiB
    for (const v of vars) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(plain.grads[v.name]!, lean.grads[v.name]!))).dataSync()[0]!);
      expect(d).toBe(0);
    }
    // At the probe (nearly the last node walked) the forward's outputs are alive (conv1's, the
    // probe's, the 4 blocks': tfjs frees them when the gradient call returns), plus the probe's dy,
    // what conv1 and the probe saved, and plain's results: 2.4 MB measured. Before, each frozen
    // block also kept ≥ 4 more activations (its conv's saved input, the BN's x − mean and dy·γ,
    // its output gradient): 8.7 MB.
    const plainResults = 4 + conv1.parameters().reduce((a, v) => a + v.size * 4, 0);
    expect(bytesAtEnd - base - plainResults).toBeLessThan(12 * act);
    tf.dispose([plain.value, lean.value, ...Object.values(plain.grads), ...Object.values(lean.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta]);
    for (const m of [conv1, ...frozen]) m.dispose();
  });

  it('gives shape-only kernels (add, sub, reshape, expandDims, pad, slice, concat, mean, sum) stand-ins, with the same gradients', () => {
    const w = tf.variable(tf.randomUniform([2, 3, 4], -1, 1, 'float32', 3), true, 'lean-shape-only-w');
    const b = tf.variable(tf.randomUniform([4], -1, 1, 'float32', 4), true, 'lean-shape-only-b');
    const f = () => {
      const h = tf.sub(tf.add(w, b), tf.mul(b, 2)); // broadcasting both ways
      const r = tf.reshape(h, [6, 4]);
      const e = tf.expandDims(r, 0);
      const p = tf.pad(e, [[0, 0], [1, 2], [0, 1]]);
      const sl = tf.slice(p, [0, 1, 0], [1, 5, 3]);
      const c = tf.concat([sl, tf.mul(sl, sl)], 2);
      return tf.add(tf.sum(tf.square(c)), tf.mean(tf.mul(c, 3))) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const plain = tf.variableGrads(f, [w, b]);
    const lean = tf.variableGrads(leanBackprop(f), [w, b]);
    expect(lean.value.dataSync()[0]).toBe(plain.value.dataSync()[0]);
    for (const v of [w, b]) expect(Array.from(lean.grads[v.name]!.dataSync())).toEqual(Array.from(plain.grads[v.name]!.dataSync()));
    tf.dispose([plain.value, lean.value, ...Object.values(plain.grads), ...Object.values(lean.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b]);
  });

  it('leaves higher-order gradients alone', () => {
    // d/dx (d/dx x³) = 6x
    const h = tf.grad((x: tf.Tensor) => {
      const inner = tf.grad(leanBackprop((y: tf.Tensor) => tf.sum(tf.pow(y, 3))))(x);
      return tf.sum(inner);
    })(tf.tensor1d([2]));
    expect(h.dataSync()[0]).toBeCloseTo(12, 4);
  });
});
