import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { choosePlan, conv2dPatches, convPlanOptions, explicitPads } from '../../../runtime/backend/conv-plan.js';
import { Conv2d } from '../../../runtime/nn/layers.js';

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.add(tf.max(tf.abs(a)), 1e-12)).dataSync()[0]!);
}

describe('conv plan', () => {
  afterEach(() => {
    convPlanOptions.mode = 'auto';
  });

  // [H, W, k, stride, in, out, pad]
  const cases: Array<[number, number, number, number, number, number, 'same' | 'valid']> = [
    [8, 8, 4, 2, 5, 7, 'same'], // D down-block, even size
    [7, 9, 4, 2, 3, 4, 'same'], // odd sizes: uneven 'same' pads, extra zeros to divide by the stride
    [4, 4, 3, 1, 6, 5, 'same'], // 3×3 on 4×4
    [5, 5, 3, 2, 4, 3, 'valid'],
    [4, 4, 4, 4, 8, 1, 'valid'], // D logits
    [6, 5, 1, 1, 3, 2, 'valid'],
  ];

  it('patches + matMul equals tf.conv2d: forward, gradients into input, weight and bias', () => {
    const before = tf.memory().numTensors;
    for (const [h, w, k, s, cin, cout, pad] of cases) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, h, w, cin]) as tf.Tensor4D;
        const f = tf.randomNormal([k, k, cin, cout]) as tf.Tensor4D;
        const bias = tf.randomNormal([cout]);
        const dy = tf.randomNormal(tf.conv2d(x, f, s, pad).shape);
        const pads = explicitPads(h, w, k, k, s, pad);
        const native = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor) => tf.add(tf.conv2d(xx, ff, s, pad), bb);
        const patches = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor) => conv2dPatches(xx, ff, s, pads, bb);
        const a = native(x, f, bias);
        const b = patches(x, f, bias);
        expect(b.shape).toEqual(a.shape);
        expect(maxRel(a, b)).toBeLessThan(1e-5);
        const ga = tf.grads((xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) => native(xx as tf.Tensor4D, ff as tf.Tensor4D, bb))([x, f, bias], dy);
        const gb = tf.grads((xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) => patches(xx as tf.Tensor4D, ff as tf.Tensor4D, bb))([x, f, bias], dy);
        for (let i = 0; i < 3; i++) expect(maxRel(ga[i]!, gb[i]!)).toBeLessThan(1e-5);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Conv2d gives the same output and gradients with either plan (PyTorch padding 1 on odd sizes too)', () => {
    for (const [h, k, s, p] of [
      [8, 4, 2, 1],
      [7, 4, 2, 1],
      [4, 3, 1, 1],
    ] as const) {
      const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernel: k, stride: s, padding: p, bias: true });
      const x = tf.randomNormal([2, h, h, 3]) as tf.Tensor4D;
      const run = (mode: 'native' | 'patches') => {
        convPlanOptions.mode = mode;
        return tf.variableGrads(() => tf.sum(tf.square(conv.apply(x))) as tf.Scalar, conv.parameters());
      };
      const a = run('native');
      const b = run('patches');
      expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!) / a.value.dataSync()[0]!).toBeLessThan(1e-5);
      for (const v of conv.parameters()) expect(maxRel(a.grads[v.name]!, b.grads[v.name]!)).toBeLessThan(1e-5);
      tf.dispose([a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads), x]);
      conv.dispose();
    }
  });

  it('auto picks patches only for tiny maps with long reductions, on the native backend', () => {
    const shape = (h: number, k: number, s: number, cin: number) => ({
      input: [4, h, h, cin],
      kh: k,
      kw: k,
      inChannels: cin,
      outChannels: 64,
      stride: s,
      outH: Math.ceil(h / s),
      outW: Math.ceil(h / s),
    });
    const native = tf.getBackend() === 'tensorflow';
    expect(choosePlan(shape(8, 4, 2, 1024))).toBe(native ? 'patches' : 'native'); // D256 1024→2048 on 8×8
    expect(choosePlan(shape(4, 3, 1, 2048))).toBe(native ? 'patches' : 'native');
    expect(choosePlan(shape(16, 4, 2, 256))).toBe('native'); // K = 4,096
    expect(choosePlan(shape(64, 3, 1, 64))).toBe('native'); // G on big maps
    convPlanOptions.mode = 'patches';
    expect(choosePlan(shape(64, 3, 1, 64))).toBe('patches');
    convPlanOptions.mode = 'auto';
  });

  it('image heads (3 output channels) on large maps: patches off the tape at batch 1, conv2d under a tape or when patches would be large (issue 20, item 16)', () => {
    const head = (b: number, h: number) => ({ input: [b, h, h, 32], kh: 3, kw: 3, inChannels: 32, outChannels: 3, stride: 1, outH: h, outW: h });
    const native = tf.getBackend() === 'tensorflow';
    expect(choosePlan(head(1, 256))).toBe(native ? 'patches' : 'native'); // 75 MB of patches
    expect(choosePlan(head(1, 128))).toBe(native ? 'patches' : 'native');
    expect(choosePlan(head(1, 64))).toBe('native'); // small maps: conv2d is faster
    expect(choosePlan(head(4, 256))).toBe('native'); // 302 MB of patches
    const x = tf.variable(tf.zeros([1, 4, 4, 1]));
    tf.variableGrads(() => {
      expect(choosePlan(head(1, 256))).toBe('native');
      return tf.sum(x);
    });
    x.dispose();
    // The two plans give the same image.
    const img = tf.randomUniform([1, 128, 128, 32], -1, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 32, 3], -0.1, 0.1, 'float32', 5) as tf.Tensor4D;
    const a = tf.conv2d(img, w, 1, 'same');
    const b = conv2dPatches(img, w, 1, [1, 1, 1, 1]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([img, w, a, b]);
  });
});
