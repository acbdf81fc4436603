import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNorm, Conv2d, Linear } from '../../../runtime/nn/layers.js';
import { Module, Sequential } from '../../../runtime/nn/module.js';
import { Rng } from '../../../runtime/util/rng.js';

class Block extends Module {
  readonly block = this.addModule(
    'block',
    new Sequential({
      0: new Conv2d({ inChannels: 2, outChannels: 4, kernel: 3 }),
      1: new BatchNorm({ channels: 4 }),
    }),
  );
}

class Net extends Module {
  readonly fc: Linear;
  readonly residual: Sequential;
  constructor() {
    super();
    this.fc = this.addModule('fc', new Linear({ inFeatures: 3, outFeatures: 2, bias: true }));
    this.residual = this.addModule('residual', new Sequential({ 0: new Block(), 1: new Block() }));
  }
}

describe('Module', () => {
  it('names parameters with PyTorch dotted paths in registration order', () => {
    const n = new Net();
    expect(n.namedParameters().map(([k]) => k)).toEqual([
      'fc.weight',
      'fc.bias',
      'residual.0.block.0.weight',
      'residual.0.block.1.weight',
      'residual.0.block.1.bias',
      'residual.1.block.0.weight',
      'residual.1.block.1.weight',
      'residual.1.block.1.bias',
    ]);
    expect(n.namedBuffers().map(([k]) => k)).toEqual([
      'residual.0.block.1.running_mean',
      'residual.0.block.1.running_var',
      'residual.1.block.1.running_mean',
      'residual.1.block.1.running_var',
    ]);
    expect(n.parameterCount()).toBe(3 * 2 + 2 + 2 * (3 * 3 * 2 * 4 + 4 + 4));
    // internal tfjs names are unique
    const names = new Set(n.parameters().map((v) => v.name));
    expect(names.size).toBe(8);
    n.dispose();
  });

  it('shape-only mode allocates nothing but knows names and counts', () => {
    const before = tf.memory().numTensors;
    const n = Module.shapeOnly(() => new Net());
    expect(tf.memory().numTensors).toBe(before);
    expect(n.namedParameterShapes()[2]).toEqual(['residual.0.block.0.weight', [3, 3, 2, 4]]);
    expect(n.parameterCount()).toBe(6 + 2 + 2 * 80);
    expect(() => n.namedParameters()).toThrow();
  });

  it('freeze excludes parameters from training and from gradients', () => {
    const n = new Net();
    n.residual.freeze();
    expect(n.trainableParameters().length).toBe(2);
    expect(n.parameterCount({ trainableOnly: true })).toBe(8);
    const x = tf.ones([1, 3]) as tf.Tensor2D;
    const { value, grads } = tf.variableGrads(() => tf.sum(n.fc.apply(x)) as tf.Scalar, n.parameters());
    expect(Object.keys(grads).filter((k) => grads[k] != null).length).toBe(2);
    for (const v of n.residual.parameters()) expect(grads[v.name]).toBeNull();
    tf.dispose([value, x, ...Object.values(grads).filter((g) => g != null)]);
    n.unfreeze();
    expect(n.trainableParameters().length).toBe(8);
    n.dispose();
  });

  it('dispose releases every variable', () => {
    const before = tf.memory().numTensors;
    const n = new Net();
    expect(tf.memory().numTensors).toBe(before + 12);
    n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('zeroInit builds with zero tensors; resetParameters then gives the same weights as a normal build', async () => {
    const before = tf.memory().numTensors;
    const z = Module.zeroInit(() => new Net());
    for (const [, v] of z.namedParameters()) expect(tf.tidy(() => tf.abs(v).max().dataSync()[0])).toBe(0);
    const n = new Net();
    expect(tf.tidy(() => tf.abs(n.fc.weight).max().dataSync()[0])).toBeGreaterThan(0);
    z.resetParameters(new Rng(3));
    n.resetParameters(new Rng(3));
    const zs = z.stateDict();
    const ns = n.stateDict();
    for (let i = 0; i < zs.length; i++) expect(await zs[i]![1].data()).toEqual(await ns[i]![1].data());
    // Construction outside zeroInit draws again.
    const m = new Net();
    expect(tf.tidy(() => tf.abs(m.fc.weight).max().dataSync()[0])).toBeGreaterThan(0);
    for (const x of [z, n, m]) x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
