import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNorm, Conv2d, Embedding, Linear, nnOptions, withBatchGroups } from '../../../runtime/nn/layers.js';
import { Rng } from '../../../runtime/util/rng.js';
import { itNative } from '../../native.js';

const TOL = 1e-5;

function rand(shape: number[], seed: number): tf.Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => r.normal()), shape);
}

function close(a: tf.Tensor, b: tf.Tensor, tol = TOL) {
  expect(a.shape).toEqual(b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  expect(d).toBeLessThan(tol);
}

describe('BatchNorm (PyTorch semantics)', () => {
  it('training: batch stats (biased var), running update with unbiased var; eval: running stats', () => {
    const bn = new BatchNorm({ channels: 3 });
    bn.weight.assign(tf.tensor1d([1, 2, 0.5]));
    bn.bias.assign(tf.tensor1d([0, 1, -1]));
    const x = rand([2, 2, 2, 3], 1) as tf.Tensor4D; // n = 8 per channel
    const before = tf.memory().numTensors;
    const y = bn.apply(x, true);
    expect(tf.memory().numTensors).toBe(before + 1);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const want = tf.tidy(() =>
      tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), bn.weight), bn.bias),
    );
    close(y, want);
    const unbiased = tf.mul(variance, 8 / 7);
    close(bn.runningMean, tf.mul(mean, 0.1));
    close(bn.runningVar, tf.add(0.9, tf.mul(unbiased, 0.1)));
    const ye = bn.apply(x, false);
    const wantE = tf.tidy(() =>
      tf.add(tf.mul(tf.div(tf.sub(x, bn.runningMean), tf.sqrt(tf.add(bn.runningVar, 1e-5))), bn.weight), bn.bias),
    );
    close(ye, wantE);
    tf.dispose([x, y, mean, variance, want, unbiased, ye, wantE]);
    bn.dispose();
  });

  it('works on 2-D input (BatchNorm1d) and its gradient matches the explicit formula', () => {
    const bn = new BatchNorm({ channels: 4 });
    const x = rand([5, 4], 2) as tf.Tensor2D;
    const dy = rand([5, 4], 3);
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(bn.apply(t as tf.Tensor2D, true), dy)))(x);
    const g2 = tf.grad((t: tf.Tensor) => {
      const m = tf.mean(t, 0);
      const v = tf.mean(tf.square(tf.sub(t, m)), 0);
      return tf.sum(tf.mul(tf.div(tf.sub(t, m), tf.sqrt(tf.add(v, 1e-5))), dy));
    })(x);
    close(g1, g2, 1e-4);
    tf.dispose([x, dy, g1, g2]);
    bn.dispose();
  });

  itNative("'tf', 'manual', 'custom' and the native fused ops agree (values, all gradients, running stats)", () => {
    const saved = nnOptions.batchNorm;
    expect(tf.getBackend()).toBe('tensorflow'); // the native variant below is TensorFlow's FusedBatchNormV3/GradV3
    for (const shape of [
      [2, 3, 2, 3],
      [5, 3],
    ]) {
      const x = rand(shape, 8);
      const dy = rand(shape, 9);
      const results = ([['tf', false], ['manual', false], ['custom', false], ['custom', true]] as const).map(([impl, native]) => {
        nnOptions.batchNorm = impl;
        nnOptions.nativeBatchNorm = native;
        const bn = new BatchNorm({ channels: 3 });
        bn.weight.assign(tf.tensor1d([1.5, -0.5, 2]));
        bn.bias.assign(tf.tensor1d([0.1, 0.2, 0.3]));
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(bn.apply(tf.mul(x, bn.weight.sum()) as tf.Tensor2D, true), dy)) as tf.Scalar,
          bn.trainableParameters(),
        );
        const gx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(bn.apply(t as tf.Tensor2D, true), dy)))(x);
        const out = [value, grads[bn.weight.name]!, grads[bn.bias.name]!, gx, tf.clone(bn.runningMean), tf.clone(bn.runningVar)];
        expect(tf.memory().numTensors).toBe(before + out.length);
        bn.dispose();
        return out;
      });
      for (const other of results.slice(1)) other.forEach((t, i) => close(t, results[0]![i]!, 1e-4));
      tf.dispose([x, dy, ...results.flat()]);
    }
    nnOptions.batchNorm = saved;
    nnOptions.nativeBatchNorm = true;
  });

  itNative('with no tape, train and eval mode run TensorFlow\'s fused op and match the portable path (outputs, running stats)', () => {
    const x = rand([4, 6, 5, 8], 21).mul(3).add(1) as tf.Tensor4D;
    const mk = () => {
      const bn = new BatchNorm({ channels: 8, momentum: 0.1 });
      bn.weight.assign(rand([8], 22).add(1));
      bn.bias.assign(rand([8], 23));
      return bn;
    };
    const [a, b] = [mk(), mk()];
    expect(tf.getBackend()).toBe('tensorflow'); // else both paths would be the portable one
    const before = tf.memory().numTensors;
    nnOptions.nativeBatchNorm = true;
    const ya = a.apply(x, true);
    nnOptions.nativeBatchNorm = false;
    const yb = b.apply(x, true);
    nnOptions.nativeBatchNorm = true;
    close(ya, yb, 1e-5);
    close(a.runningMean, b.runningMean, 1e-6);
    close(a.runningVar, b.runningVar, 1e-5);
    // Eval mode on the running statistics just updated: the fused op against normalize().
    const ea = a.apply(x, false);
    nnOptions.nativeBatchNorm = false;
    const eb = a.apply(x, false);
    nnOptions.nativeBatchNorm = true;
    close(ea, eb, 1e-5);
    tf.dispose([ya, yb, ea, eb]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x]);
    a.dispose();
    b.dispose();
  });

  it('withBatchGroups: one call on [a; b] equals two calls (outputs, gradients, running stats in order)', () => {
    for (const native of [true, false]) {
      nnOptions.nativeBatchNorm = native;
      const one = new BatchNorm({ channels: 3 });
      const two = new BatchNorm({ channels: 3 });
      const a = tf.add(rand([2, 4, 3, 3], 31), 1);
      const b = tf.mul(rand([2, 4, 3, 3], 32), 3);
      const dy = rand([4, 4, 3, 3], 33);
      // Gradients into the input and γ, β (the running statistics differ between the halves).
      const grouped = tf.variableGrads(() => tf.sum(tf.mul(withBatchGroups(2, () => one.apply(tf.concat([a, b]) as tf.Tensor4D, true)), dy)) as tf.Scalar, [one.weight, one.bias]);
      const separate = tf.variableGrads(
        () => tf.sum(tf.mul(tf.concat([two.apply(a as tf.Tensor4D, true), two.apply(b as tf.Tensor4D, true)]), dy)) as tf.Scalar,
        [two.weight, two.bias],
      );
      close(grouped.value, separate.value);
      close(grouped.grads[one.weight.name]!, separate.grads[two.weight.name]!);
      close(grouped.grads[one.bias.name]!, separate.grads[two.bias.name]!);
      close(one.runningMean, two.runningMean, 1e-6);
      close(one.runningVar, two.runningVar, 1e-6);
      // Not the same as one batch of four: the halves were normalised apart.
      const whole = new BatchNorm({ channels: 3 });
      const w = whole.apply(tf.concat([a, b]) as tf.Tensor4D, true);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(w, withBatchGroups(2, () => whole.apply(tf.concat([a, b]) as tf.Tensor4D, true))))).dataSync()[0]!)).toBeGreaterThan(0.1);
      expect(() => withBatchGroups(3, () => one.apply(a as tf.Tensor4D, true))).toThrow(/does not split into 3/);
      tf.dispose([a, b, dy, grouped.value, separate.value, w, ...Object.values(grouped.grads), ...Object.values(separate.grads)]);
      one.dispose();
      two.dispose();
      whole.dispose();
    }
    nnOptions.nativeBatchNorm = true;
  });

  it('a gradient of a gradient through it (a penalty on D) matches central differences', () => {
    // P(θ) = mean_b ‖∂D/∂x_b‖² for D = head(square(BN(conv(x)))), differentiated w.r.t. the conv
    // weight. The inner gradient runs under the outer tape, so BN's backward is differentiated again:
    // the fused native gradient and the closed-form custom one are not differentiable, and gave
    // gradients off by 90 % or with the wrong sign before BN took its composite form there.
    // (A smooth activation: leaky ReLU's kinks would spoil the finite differences; tanh and sigmoid
    // themselves have wrong second-order gradients in tfjs 4.22, so neither is used.)
    const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1 });
    const bn = new BatchNorm({ channels: 4 });
    const head = new Conv2d({ inChannels: 4, outChannels: 1, kernel: 4, stride: 1, padding: 0, bias: true });
    tf.tidy(() => {
      bn.weight.assign(tf.add(rand([4], 41), 1));
      bn.bias.assign(rand([4], 42));
    });
    const x = rand([4, 8, 8, 3], 43) as tf.Tensor4D;
    const penalty = () =>
      tf.tidy(() => {
        const g = tf.grad((im: tf.Tensor) => tf.sum(head.apply(tf.square(bn.apply(conv.apply(im as tf.Tensor4D), true)) as tf.Tensor4D)))(x);
        return tf.mean(tf.sum(tf.square(tf.reshape(g, [4, -1])), 1)) as tf.Scalar;
      });
    const before = tf.memory().numTensors;
    for (const native of [true, false]) {
      nnOptions.nativeBatchNorm = native;
      const w = conv.weight;
      const { value, grads } = tf.variableGrads(penalty, [w]);
      const auto = grads[w.name]!.dataSync();
      const base = w.dataSync().slice();
      const at = (i: number, v: number) => {
        const a = base.slice();
        a[i] = v;
        tf.tidy(() => w.assign(tf.tensor(a, w.shape)));
        const p = penalty();
        const out = p.dataSync()[0]!;
        p.dispose();
        return out;
      };
      for (const i of [0, 5, 17, 40, 77, 100]) {
        const h = 1e-2;
        const fd = (at(i, base[i]! + h) - at(i, base[i]! - h)) / (2 * h);
        expect(Math.abs(auto[i]! - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)) + 1e-3);
      }
      tf.tidy(() => w.assign(tf.tensor(base, w.shape)));
      tf.dispose([value, ...Object.values(grads)]);
    }
    nnOptions.nativeBatchNorm = true;
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    [conv, bn, head].forEach((m) => m.dispose());
  });

  it('does not leak in training or eval', () => {
    const bn = new BatchNorm({ channels: 2 });
    const x = rand([3, 2], 4) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    tf.dispose(bn.apply(x, true));
    tf.dispose(bn.apply(x, false));
    const { value, grads } = tf.variableGrads(() => tf.sum(bn.apply(x, true)) as tf.Scalar, bn.trainableParameters());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    bn.dispose();
  });
});

describe('Conv2d / Linear / Embedding', () => {
  it('numeric padding: same-equivalent and explicit cases agree with pad+valid', () => {
    for (const [k, s, p, hw] of [
      [3, 1, 1, 5],
      [4, 2, 1, 8],
      [4, 2, 1, 7],
      [3, 2, 1, 6],
    ] as const) {
      const conv = new Conv2d({ inChannels: 2, outChannels: 3, kernel: k, stride: s, padding: p, bias: true });
      const x = rand([2, hw, hw, 2], 5) as tf.Tensor4D;
      const y = conv.apply(x);
      const want = tf.tidy(() =>
        tf.add(tf.conv2d(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) as tf.Tensor4D, conv.weight as tf.Tensor4D, s, 'valid'), conv.bias!),
      );
      close(y, want);
      tf.dispose([x, y, want]);
      conv.dispose();
    }
  });

  it('fused and unfused conv+bias agree', () => {
    const conv = new Conv2d({ inChannels: 2, outChannels: 3, kernel: 3, bias: true });
    const x = rand([1, 4, 4, 2], 6) as tf.Tensor4D;
    nnOptions.fusedConvBias = true;
    const a = conv.apply(x);
    nnOptions.fusedConvBias = false;
    const b = conv.apply(x);
    nnOptions.fusedConvBias = true;
    close(a, b);
    tf.dispose([x, a, b]);
    conv.dispose();
  });

  it('Linear is x·W + b with W [in,out]; Embedding gathers rows', () => {
    const fc = new Linear({ inFeatures: 3, outFeatures: 2, bias: true });
    const x = rand([4, 3], 7) as tf.Tensor2D;
    const y = fc.apply(x);
    const want = tf.tidy(() => tf.add(tf.matMul(x, fc.weight), fc.bias!));
    close(y, want);
    const emb = new Embedding({ num: 5, dim: 3 });
    const e = emb.apply(tf.tensor2d([[0, 4]], [1, 2], 'int32'));
    expect(e.shape).toEqual([1, 2, 3]);
    tf.dispose([x, y, want, e]);
    fc.dispose();
    emb.dispose();
  });
});
