import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initLikeAttnGAN } from '../../../runtime/nn/init-attngan.js';
import { initialTensor, initialValues } from '../../../runtime/nn/init.js';
import { orthogonalMatrix, orthogonalTensor, orthogonalTfLayout } from '../../../runtime/nn/orthogonal.js';
import { BatchNorm, Conv2d, Linear } from '../../../runtime/nn/layers.js';
import { Module } from '../../../runtime/nn/module.js';
import { Rng } from '../../../runtime/util/rng.js';

function gram(m: Float64Array, rows: number, cols: number, byRows: boolean): number[][] {
  const k = byRows ? rows : cols;
  const g: number[][] = [];
  for (let a = 0; a < k; a++) {
    g.push([]);
    for (let b = 0; b < k; b++) {
      let s = 0;
      if (byRows) for (let j = 0; j < cols; j++) s += m[a * cols + j]! * m[b * cols + j]!;
      else for (let i = 0; i < rows; i++) s += m[i * cols + a]! * m[i * cols + b]!;
      g[a]!.push(s);
    }
  }
  return g;
}

function expectIdentity(g: number[][], tol: number) {
  for (let a = 0; a < g.length; a++) for (let b = 0; b < g.length; b++) {
    expect(Math.abs(g[a]![b]! - (a === b ? 1 : 0))).toBeLessThan(tol);
  }
}

class Tiny extends Module {
  readonly conv = this.addModule('conv', new Conv2d({ inChannels: 3, outChannels: 4, kernel: 3, bias: true }));
  readonly fc = this.addModule('fc', new Linear({ inFeatures: 5, outFeatures: 6, bias: true }));
  readonly bn = this.addModule('bn', new BatchNorm({ channels: 4 }));
}

describe('init', () => {
  it('orthogonalMatrix has orthonormal rows (wide) or columns (tall)', () => {
    expectIdentity(gram(orthogonalMatrix(4, 9, new Rng(1)), 4, 9, true), 1e-12);
    expectIdentity(gram(orthogonalMatrix(9, 4, new Rng(1)), 9, 4, false), 1e-12);
    expectIdentity(gram(orthogonalMatrix(6, 6, new Rng(2)), 6, 6, true), 1e-12);
  });

  it('CholeskyQR2 (large matrices) gives the same Q as Householder', () => {
    for (const [r, c] of [
      [20, 50],
      [50, 20],
    ]) {
      const h = orthogonalMatrix(r, c, new Rng(5), 'householder');
      const q = orthogonalMatrix(r, c, new Rng(5), 'cholesky');
      let d = 0;
      for (let i = 0; i < h.length; i++) d = Math.max(d, Math.abs(h[i]! - q[i]!));
      expect(d).toBeLessThan(1e-5);
    }
  });

  it('orthogonalTensor on the backend (large) equals Householder on the same normals, in TF layout', () => {
    // [3,3,96,64]: K = 864, out = 64 → 64²·864 = 3.5e6 multiply-adds: JS. Force the comparison by
    // orthonormalising the same Rng's matrix both ways.
    const shape = [3, 3, 96, 64];
    const before = tf.memory().numTensors;
    const t = orthogonalTensor(shape, 1, new Rng(21));
    const js = orthogonalTfLayout(shape, 1, new Rng(21));
    expect(t.shape).toEqual(shape);
    expect(Array.from(t.dataSync())).toEqual(Array.from(js));
    t.dispose();
    const h = orthogonalMatrix(864, 64, new Rng(21), 'householder');
    const c = orthogonalMatrix(864, 64, new Rng(21), 'cholesky');
    let d = 0;
    for (let i = 0; i < h.length; i++) d = Math.max(d, Math.abs(h[i]! - c[i]!));
    expect(d).toBeLessThan(2e-5);
    // A big one takes the backend path (blocked inverse Cholesky, 2 levels): orthonormal columns.
    const big = orthogonalTensor([4, 4, 160, 384], 2, new Rng(3)); // K = 2560, out = 384: 3.8e8
    const g = tf.tidy(() => {
      const m = big.reshape([2560, 384]);
      return tf.matMul(m, m, true, false).div(4).sub(tf.eye(384)).abs().max().dataSync()[0]!;
    });
    expect(g).toBeLessThan(2e-5);
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('orthogonal conv init is orthonormal over the flattened [out, in·kh·kw] view', () => {
    const shape = [3, 3, 2, 5]; // kh, kw, in, out
    const w = orthogonalTfLayout(shape, 1, new Rng(4));
    const wt = initialTensor({ kind: 'orthogonal', gain: 1 }, shape, new Rng(4));
    expect(Array.from(wt.dataSync())).toEqual(Array.from(w));
    wt.dispose();
    // rows = out: row o = all (h,w,i) entries for output o
    const m = new Float64Array(5 * 18);
    for (let o = 0; o < 5; o++) for (let j = 0; j < 18; j++) m[o * 18 + j] = w[j * 5 + o]!;
    expectIdentity(gram(m, 5, 18, true), 1e-5);
  });

  it('torch default bounds use fan-in', () => {
    const v = initialValues({ kind: 'torch_default_conv' }, [3, 3, 4, 8], new Rng(1));
    const bound = 1 / Math.sqrt(36);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound * 0.8);
  });

  it('initLikeAttnGAN follows §8.2 and is deterministic in the seed', async () => {
    const a = new Tiny();
    const b = new Tiny();
    initLikeAttnGAN(a, new Rng(11));
    initLikeAttnGAN(b, new Rng(11));
    const pa = a.stateDict();
    const pb = b.stateDict();
    for (let i = 0; i < pa.length; i++) {
      expect(pa[i]![0]).toBe(pb[i]![0]);
      expect(await pa[i]![1].data()).toEqual(await pb[i]![1].data());
    }
    expect(Array.from(await a.fc.bias!.data())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(await a.bn.bias.data())).toEqual([0, 0, 0, 0]);
    const g = await a.bn.weight.data();
    for (const x of g) expect(Math.abs(x - 1)).toBeLessThan(0.1);
    // Conv bias keeps PyTorch's default (not zeroed by weights_init).
    expect(Math.max(...Array.from(await a.conv.bias!.data()).map(Math.abs))).toBeGreaterThan(0);
    // Linear weight [in=5,out=6]: torch [6,5] has orthonormal columns → ours has orthonormal rows.
    const fw = Float64Array.from(await a.fc.weight.data());
    expectIdentity(gram(fw, 5, 6, true), 1e-5);
    const c = new Tiny();
    initLikeAttnGAN(c, new Rng(12));
    expect(await c.fc.weight.data()).not.toEqual(await a.fc.weight.data());
    for (const m of [a, b, c]) m.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
