import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InceptionImageEncoder } from '../../../runtime/encoders/image.js';
import { basicConvOptions } from '../../../runtime/encoders/inception.js';
import { maxAbsDiff, readTorchFixture, type Arr } from './torch-fixture.js';

interface Fixture {
  keys: [string, number[]][];
  inputSize: number;
  mixed6e: Arr;
  pooled: Arr;
  resize: { input: number[]; inputShape: number[]; size: [number, number]; output: number[] };
}

const M = 2147483647;
/** Park-Miller stream, as test/fixtures/make/inception.py. */
function stream(seed: number, n: number): Float64Array {
  let x = seed % M || 1;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    x = (x * 16807) % M;
    out[k] = x / M;
  }
  return out;
}

function values(i: number, name: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = stream(1000003 * (i + 1), n);
  const out = new Float32Array(n);
  let f: (v: number) => number;
  if (name.endsWith('conv.weight')) {
    const s = Math.sqrt(6 / (n / shape[0]!));
    f = (v) => (2 * v - 1) * s;
  } else if (name.endsWith('bn.weight') || name.endsWith('running_var')) f = (v) => 0.8 + 0.4 * v;
  else if (name.endsWith('bn.bias')) f = (v) => 0.1 * (2 * v - 1);
  else if (name.endsWith('running_mean')) f = (v) => 0.05 * (2 * v - 1);
  else throw new Error(name);
  for (let k = 0; k < n; k++) out[k] = f(u[k]!);
  return out;
}

const fx = readTorchFixture<Fixture>('inception_trunk.json');
let enc: InceptionImageEncoder;

beforeAll(() => {
  // ~90 MB of float32: built once for the file.
  enc = new InceptionImageEncoder();
});
afterAll(() => enc.dispose());

describe('InceptionImageEncoder', () => {
  it('has the CNN_ENCODER state_dict keys and 22,506,720 parameters, 721,152 trainable', () => {
    expect(enc.parameterCount()).toBe(22_506_720);
    expect(enc.parameterCount({ trainableOnly: true })).toBe(721_152);
    const names = enc.stateDict().map(([n]) => n);
    expect(names.length).toBe(fx.keys.length + 3);
    expect(names.slice(0, fx.keys.length)).toEqual(fx.keys.map(([k]) => k));
    expect(names.slice(fx.keys.length)).toEqual(['emb_features.weight', 'emb_cnn_code.weight', 'emb_cnn_code.bias']);
    expect(enc.trainableParameters().map((v) => v.shape)).toEqual([[1, 1, 768, 256], [2048, 256], [256]]);
    // 473 tensors in the .pth = 94 BasicConv2d × 5 + 3 heads
    expect(names.length).toBe(473);
  });

  it('freezeTrunk: false (image_encoder.freeze_trunk) makes every parameter trainable', () => {
    const open = new InceptionImageEncoder({ freezeTrunk: false });
    try {
      expect(open.parameterCount({ trainableOnly: true })).toBe(22_506_720);
      expect(open.trainableParameters().length).toBe(open.parameters().length); // 94 BasicConv2d × 3 + 3 heads = 285
    } finally {
      open.dispose();
    }
  });

  it('trunk matches torchvision Inception3 (eval) on deterministic weights, 80×80 input', () => {
    const state = new Map(enc.stateDict());
    fx.keys.forEach(([name, shape], i) => {
      tf.tidy(() => {
        let t: tf.Tensor = tf.tensor(values(i, name, shape), shape);
        if (t.rank === 4) t = tf.transpose(t, [2, 3, 1, 0]);
        state.get(name)!.assign(t);
      });
    });
    const before = tf.memory().numTensors;
    const s = fx.inputSize;
    const x = tf.tidy(() => tf.sub(tf.mul(tf.tensor(Float32Array.from(stream(424242, s * s * 3)), [1, s, s, 3]), 2), 1)) as tf.Tensor4D;
    const scale6 = Math.max(...fx.mixed6e.data.map(Math.abs));
    const scale7 = Math.max(...fx.pooled.data.map(Math.abs));
    // both eval paths: BN folded into a fused conv, and conv → batchNorm → relu
    for (const fold of [true, false]) {
      basicConvOptions.foldBatchNorm = fold;
      const out = enc.trunk(x);
      expect(out.mixed6e.shape).toEqual(fx.mixed6e.shape);
      // float32 through ~50 conv layers, fixture rounded to 7 digits: 1e-4 of the output's range
      expect(maxAbsDiff(out.mixed6e.dataSync(), fx.mixed6e.data)).toBeLessThan(1e-4 * scale6);
      expect(maxAbsDiff(out.pooled.dataSync(), fx.pooled.data)).toBeLessThan(1e-4 * scale7);
      tf.dispose([out.mixed6e, out.pooled]);
    }
    basicConvOptions.foldBatchNorm = true;

    // under a gradient tape (the folded, unfused path): same value; gradients reach the input
    const { value, grad: g } = tf.valueAndGrad((xx: tf.Tensor) => tf.sum(enc.trunk(xx as tf.Tensor4D).pooled))(x);
    const want = fx.pooled.data.reduce((a, b) => a + b, 0);
    expect(Math.abs(value.dataSync()[0]! - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)) * 10);
    value.dispose();
    expect(g.shape).toEqual(x.shape);
    const gd = g.dataSync();
    expect(gd.every(Number.isFinite)).toBe(true);
    expect(gd.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bilinear resize with align corners matches F.interpolate(align_corners=True)', () => {
    tf.tidy(() => {
      const r = fx.resize;
      const y = tf.image.resizeBilinear(tf.tensor4d(r.input, r.inputShape as [number, number, number, number]), r.size, true);
      expect(maxAbsDiff(y.dataSync(), r.output)).toBeLessThan(1e-6);
    });
  });

  // A 299×299 forward + backward takes ~1 s on the native backend but ~50 s on the pure-JS one.
  it.skipIf(tf.getBackend() === 'cpu')('maps [B,H,W,3] images to 17×17×nef regions and a nef global code; only the heads get gradients', () => {
    const before = tf.memory().numTensors;
    const img = tf.randomUniform([1, 24, 24, 3], -1, 1) as tf.Tensor4D;
    const vars = enc.trainableParameters();
    const { value, grads } = tf.variableGrads(() => {
      const o = enc.apply(img);
      expect(o.regions.shape).toEqual([1, 17, 17, 256]);
      expect(o.global.shape).toEqual([1, 256]);
      return tf.add(tf.sum(tf.square(o.regions)), tf.sum(o.global)) as tf.Scalar;
    }, vars);
    expect(Object.keys(grads).length).toBe(3);
    for (const v of vars) {
      const gd = grads[v.name]!.dataSync();
      expect(gd.every(Number.isFinite)).toBe(true);
      expect(gd.some((z) => z !== 0)).toBe(true);
    }
    expect(enc.parameters().filter((v) => v.trainable).length).toBe(3);
    tf.dispose([img, value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trunk(x, training=true) uses batch statistics and drifts the running stats (DAMSM pretraining mode)', () => {
    const before = tf.memory().numTensors;
    const rm = enc.stateDict().find(([n]) => n === 'Conv2d_1a_3x3.bn.running_mean')![1];
    const rm0 = rm.dataSync().slice();
    tf.tidy(() => {
      const x = tf.randomUniform([2, 80, 80, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const train = enc.trunk(x, true).pooled.dataSync();
      const evalOut = enc.trunk(x, false).pooled.dataSync();
      expect(maxAbsDiff(train, evalOut)).toBeGreaterThan(1e-3);
    });
    expect(maxAbsDiff(rm.dataSync(), rm0)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('apply(x, training=true) follows the trunk_batchnorm option: batch statistics only with trunkBatchNormFollowsTraining', () => {
    const withBatch = new InceptionImageEncoder({ trunkBatchNormFollowsTraining: true });
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 80, 80, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    for (const [e, follows] of [
      [enc, false],
      [withBatch, true],
    ] as const) {
      const rm = e.stateDict().find(([n]) => n === 'Mixed_6e.branch1x1.bn.running_mean')![1];
      const rm0 = rm.dataSync().slice();
      tf.tidy(() => {
        const train = e.apply(x, true).global.dataSync();
        const running = e.apply(x, false).global.dataSync();
        if (follows) expect(maxAbsDiff(train, running)).toBeGreaterThan(1e-4);
        else expect(maxAbsDiff(train, running)).toBe(0);
      });
      if (follows) expect(maxAbsDiff(rm.dataSync(), rm0)).toBeGreaterThan(0);
      else expect(maxAbsDiff(rm.dataSync(), rm0)).toBe(0);
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    withBatch.dispose();
  });
  it('apply(x, training, { inputGradient: false }) runs a frozen trunk off the tape: same outputs and head gradients', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 80, 80, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const vars = enc.trainableParameters();
    const run = (inputGradient: boolean) => {
      let recorded = 0;
      const r = tf.variableGrads(() => {
        const o = enc.apply(x, true, { inputGradient });
        recorded = (tf.engine().state as unknown as { activeTape: unknown[] }).activeTape.length;
        return tf.add(tf.sum(tf.square(o.regions)), tf.sum(o.global)) as tf.Scalar;
      }, vars);
      return { ...r, recorded };
    };
    const taped = run(true);
    const off = run(false);
    expect(off.value.dataSync()[0]).toBe(taped.value.dataSync()[0]);
    for (const v of vars) expect(maxAbsDiff(off.grads[v.name]!.dataSync(), taped.grads[v.name]!.dataSync())).toBe(0);
    // The trunk is ~300 ops (conv, BN, ReLU per BasicConv2d); off the tape only the 2 heads and the loss remain.
    expect(taped.recorded).toBeGreaterThan(200);
    expect(off.recorded).toBeLessThan(20);
    tf.dispose([taped.value, off.value, ...Object.values(taped.grads), ...Object.values(off.grads), x]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
