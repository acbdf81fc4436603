import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNorm, Conv2d, Embedding, Linear, Module, Rng } from '../../../runtime/nn/index.js';
import { exportState, importState, torchShape } from '../../../runtime/nn/state.js';
import { AttncError } from '../../../runtime/util/errors.js';

class Net extends Module {
  readonly conv = this.addModule('conv', new Conv2d({ inChannels: 2, outChannels: 3, kernel: [2, 1] }));
  readonly bn = this.addModule('bn', new BatchNorm({ channels: 3 }));
  readonly fc = this.addModule('fc', new Linear({ inFeatures: 3, outFeatures: 3, bias: true }));
  readonly emb = this.addModule('emb', new Embedding({ num: 3, dim: 3 }));
}

describe('state (PyTorch layout)', () => {
  it('exports in state_dict order with PyTorch shapes and values laid out as PyTorch does', () => {
    const net = new Net();
    net.resetParameters(new Rng('state'));
    const state = exportState(net);
    expect([...state.keys()]).toEqual(['conv.weight', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'fc.weight', 'fc.bias', 'emb.weight']);
    expect(state.get('conv.weight')!.shape).toEqual([3, 2, 2, 1]);
    // conv: TF [kh, kw, in, out] → torch [out, in, kh, kw]
    const w = net.conv.weight.arraySync() as number[][][][];
    const tw = state.get('conv.weight')!.data;
    expect(tw[((2 * 2 + 1) * 2 + 1) * 1 + 0]).toBeCloseTo(w[1]![0]![1]![2]!, 7); // torch[2][1][1][0] = tf[1][0][1][2]
    // linear: transposed even though it is square; embedding (also square) as is
    const fc = net.fc.weight.arraySync() as number[][];
    expect(state.get('fc.weight')!.data[0 * 3 + 1]).toBeCloseTo(fc[1]![0]!, 7);
    const emb = net.emb.weight.arraySync() as number[][];
    expect(state.get('emb.weight')!.data[0 * 3 + 1]).toBeCloseTo(emb[0]![1]!, 7);
    expect(torchShape([4, 4, 8, 16], 'conv')).toEqual([16, 8, 4, 4]);
    net.dispose();
  });

  it('round-trips into a fresh module, ignores num_batches_tracked, and keeps the tensor count flat', () => {
    const a = new Net();
    a.resetParameters(new Rng('a'));
    const b = new Net();
    b.resetParameters(new Rng('b'));
    const state = exportState(a);
    state.set('bn.num_batches_tracked', { shape: [], data: Float32Array.from([5]) });
    const before = tf.memory().numTensors;
    const report = importState(b, state);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.ignored).toEqual(['bn.num_batches_tracked']);
    expect(report.loaded).toHaveLength(8);
    for (const [[na, va], [nb, vb]] of a.stateDict().map((x, i) => [x, b.stateDict()[i]!] as const)) {
      expect(nb).toBe(na);
      expect([...vb.dataSync()]).toEqual([...va.dataSync()]);
    }
    a.dispose();
    b.dispose();
  });

  it('strict loading lists missing, unexpected and mismatched names with both shapes and changes nothing', () => {
    const net = new Net();
    net.resetParameters(new Rng('n'));
    const original = [...net.fc.weight.dataSync()];
    const state = exportState(net);
    state.delete('bn.running_var');
    state.set('extra.weight', { shape: [1], data: Float32Array.from([0]) });
    state.set('conv.weight', { shape: [3, 2, 1, 2], data: new Float32Array(12) });
    state.set('fc.weight', { shape: [3, 3], data: new Float32Array(9).fill(9) });
    let err: AttncError | undefined;
    try {
      importState(net, state, { source: 'g.safetensors' });
    } catch (e) {
      err = e as AttncError;
    }
    expect(err).toBeInstanceOf(AttncError);
    expect(err!.message).toContain('conv.weight: the model has [3, 2, 2, 1], g.safetensors has [3, 2, 1, 2]');
    expect(err!.message).toContain('bn.running_var [3]');
    expect(err!.message).toContain('extra.weight [1]');
    expect([...net.fc.weight.dataSync()]).toEqual(original);
    // non-strict still refuses shape mismatches but reports missing/unexpected
    state.set('conv.weight', exportState(net).get('conv.weight')!);
    const r = importState(net, state, { strict: false });
    expect(r.missing.map((m) => m.name)).toEqual(['bn.running_var']);
    expect(r.unexpected.map((m) => m.name)).toEqual(['extra.weight']);
    expect([...net.fc.weight.dataSync()]).toEqual(new Array(9).fill(9));
    net.dispose();
  });
});
