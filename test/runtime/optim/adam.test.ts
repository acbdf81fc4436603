import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../runtime/util/rng.js';
import { LeanAdamOptimizer } from '../../../runtime/optim/adam.js';
import { itNative } from '../../native.js';

const shapes = [[64, 128], [3, 3, 16, 32], [200], [1000, 50]];
// Values from the JS Rng: tfjs-node's seeded randomNormal does not repeat across calls.
const normalArray = (s: number[], seed: number) => new Rng(seed).fillNormal(new Float32Array(s.reduce((a, b) => a * b)));
const normal = (s: number[], seed: number) => tf.tensor(normalArray(s, seed), s);
const make = (tag: string) => shapes.map((s, i) => tf.tidy(() => tf.variable(normal(s, i), true, `adam-test-${tag}-${i}`)));
const step = (opt: tf.Optimizer, vars: tf.Variable[], seed: number) => {
  const grads = shapes.map((s, i) => normal(s, 100 * seed + i + 10));
  opt.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
  tf.dispose(grads);
};
const maxRelDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(b), 1e-3))).dataSync()[0]!);

/** PyTorch's Adam in float64: values and moments after `steps` updates with `grad(step)`. */
function adamFloat64(p0: Float32Array, grad: (step: number) => Float32Array, steps: number, lr: number, b1: number, b2: number, eps: number) {
  const p = Float64Array.from(p0);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  for (let t = 1; t <= steps; t++) {
    const g = grad(t - 1);
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      p[i]! -= (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps);
    }
  }
  return { p, m, v };
}
const maxRelDiff64 = (a: ArrayLike<number>, b: ArrayLike<number>, floor: number) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + floor));
  return worst;
};

describe('LeanAdamOptimizer, portable ops (native: false)', () => {
  it("gives tfjs Adam's numbers, moments and weights, and leaves no temporary behind", async () => {
    const va = make('stock');
    const vb = make('lean');
    const stock: tf.Optimizer = tf.train.adam(0.01, 0.5, 0.999, 1e-8);
    const lean = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8, { native: false });
    expect(lean).toBeInstanceOf(tf.AdamOptimizer);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) {
      step(stock, va, s);
      step(lean, vb, s);
    }
    expect(lean.fused).toBe(false);
    for (let i = 0; i < shapes.length; i++) expect(Array.from(vb[i]!.dataSync())).toEqual(Array.from(va[i]!.dataSync()));
    const [wa, wb] = [await stock.getWeights(), await lean.getWeights()];
    expect(wb.map((w) => w.name.replace('-lean-', '-stock-'))).toEqual(wa.map((w) => w.name));
    for (let i = 0; i < wa.length; i++) expect(Array.from(wb[i]!.tensor.dataSync())).toEqual(Array.from(wa[i]!.tensor.dataSync()));
    expect(lean.iterations).toBe(3);
    // No tensor left behind beyond the optimizer's own state (created on the first step).
    const afterState = tf.memory().numTensors;
    step(lean, vb, 9);
    expect(tf.memory().numTensors).toBe(afterState);
    expect(afterState).toBeGreaterThan(before);
    stock.dispose();
    lean.dispose();
    tf.dispose([...va, ...vb]);
  });
});

describe('LeanAdamOptimizer, fused native update (ResourceApplyAdam)', () => {
  itNative("matches PyTorch's Adam formula on a hand-checked case", () => {
    // PyTorch Adam, lr 0.1, betas (0.5, 0.999), eps 1e-8, p0 = [1, −2, 0.5], gradients g then 2g (float64):
    //   t=1: m = 0.5g, v = 0.001g², m̂ = g, v̂ = g²  → p −= 0.1·sign(g)
    //   t=2: m = 0.25g + 1g = 1.25g, v = 0.000999g² + 0.004g² = 0.004999g², m̂ = 1.25g/0.75, v̂ = 0.004999g²/0.001999
    const g = [0.3, -4, 1e-3];
    const p = [1, -2, 0.5].map((x, i) => {
      const gi = g[i]!;
      const p1 = x - 0.1 * (gi / (Math.abs(gi) + 1e-8));
      const mh = (1.25 * gi) / 0.75;
      const vh = (0.004999 * gi * gi) / (1 - 0.999 ** 2);
      return p1 - (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
    });
    const v = tf.variable(tf.tensor1d([1, -2, 0.5]), true, 'adam-hand');
    const opt = new LeanAdamOptimizer(0.1, 0.5, 0.999, 1e-8);
    for (const k of [1, 2]) {
      const gt = tf.tensor1d(g.map((x) => k * x));
      opt.applyGradients({ 'adam-hand': gt });
      gt.dispose();
    }
    expect(opt.fused).toBe(true);
    const got = Array.from(v.dataSync());
    for (let i = 0; i < 3; i++) expect(Math.abs(got[i]! - p[i]!)).toBeLessThan(2e-7);
    opt.dispose();
    v.dispose();
  });

  itNative("gives PyTorch's float64 Adam to float32 rounding, closer than tfjs's Adam, in tfjs Adam's weights format", async () => {
    const va = make('stock-f');
    const vb = make('fused');
    const p0 = vb.map((v) => v.dataSync() as Float32Array);
    const stock: tf.Optimizer = tf.train.adam(0.01, 0.5, 0.999, 1e-8);
    const fused = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8);
    for (let s = 0; s < 3; s++) {
      step(stock, va, s);
      step(fused, vb, s);
    }
    expect(fused.fused).toBe(true);
    const [wa, wb] = [await stock.getWeights(), await fused.getWeights()];
    expect(wb.map((w) => w.name.replace('-fused-', '-stock-f-'))).toEqual(wa.map((w) => w.name));
    expect(wb[0]!.tensor.dataSync()[0]).toBe(3);
    for (let i = 0; i < shapes.length; i++) {
      const ref = adamFloat64(p0[i]!, (s) => normalArray(shapes[i]!, 100 * s + i + 10), 3, 0.01, 0.5, 0.999, 1e-8);
      const n = shapes.length;
      // Values: float32 rounding of the update (tfjs's float32 bias corrections are further off);
      // moments: a few ulps (the op computes m += (g − m)(1 − β), PyTorch β·m + (1 − β)·g).
      const fusedErr = maxRelDiff64(vb[i]!.dataSync(), ref.p, 0.1);
      expect(fusedErr).toBeLessThan(1e-6);
      expect(maxRelDiff64(va[i]!.dataSync(), ref.p, 0.1)).toBeGreaterThan(fusedErr);
      expect(maxRelDiff64(wb[1 + i]!.tensor.dataSync(), ref.m, 0.1)).toBeLessThan(5e-6);
      expect(maxRelDiff64(wb[1 + n + i]!.tensor.dataSync(), ref.v, 1e-4)).toBeLessThan(5e-6); // v += (g² − v)(1 − β): cancellation in g² − v
    }
    stock.dispose();
    fused.dispose();
    tf.dispose([...va, ...vb]);
  });

  itNative('updates a variable in place only when nothing else can see its buffer', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3, 4]), true, 'adam-inplace');
    const opt = new LeanAdamOptimizer(0.1, 0.5, 0.999, 1e-8);
    const update = () => {
      const g = tf.tensor1d([1, -1, 1, -1]);
      opt.applyGradients({ 'adam-inplace': g });
      g.dispose();
    };
    update();
    // Nothing else holds it: the same tfjs data id, new values.
    const id = v.dataId;
    const before = Array.from(v.dataSync());
    update();
    expect(v.dataId).toBe(id);
    expect(Array.from(v.dataSync())).not.toEqual(before);
    // A clone shares the tfjs data id: the update must not write into it.
    const clone = tf.clone(v);
    const cloned = Array.from(clone.dataSync());
    update();
    expect(Array.from(clone.dataSync())).toEqual(cloned);
    expect(v.dataId).not.toBe(id);
    clone.dispose();
    // A reshape is another TensorFlow handle on the same buffer: TensorFlow copies before writing.
    const flat = tf.reshape(v, [2, 2]);
    const viewed = Array.from(flat.dataSync());
    update();
    expect(Array.from(flat.dataSync())).toEqual(viewed);
    expect(Array.from(v.dataSync())).not.toEqual(viewed);
    flat.dispose();
    // Five steps of the same gradient, whichever path each took: what the portable update gives.
    const ref = tf.variable(tf.tensor1d([1, 2, 3, 4]), true, 'adam-inplace-ref');
    const portable = new LeanAdamOptimizer(0.1, 0.5, 0.999, 1e-8, { native: false });
    for (let i = 0; i < 4; i++) {
      const g = tf.tensor1d([1, -1, 1, -1]);
      portable.applyGradients({ 'adam-inplace-ref': g });
      g.dispose();
    }
    update();
    expect(maxRelDiff(v, ref)).toBeGreaterThan(1e-3); // v is one step ahead
    const g = tf.tensor1d([1, -1, 1, -1]);
    portable.applyGradients({ 'adam-inplace-ref': g });
    g.dispose();
    expect(maxRelDiff(v, ref)).toBeLessThan(1e-5);
    opt.dispose();
    portable.dispose();
    tf.dispose([v, ref]);
  });

  itNative('resumes from its own weights exactly, notices variables assigned behind its back, and frees what it made', async () => {
    const before = tf.memory().numTensors;
    const va = make('run-a');
    const vb = make('run-b');
    const a = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8);
    for (let s = 0; s < 2; s++) step(a, va, s);
    // A checkpoint of run a (values and moments), restored into run b's fresh variables and optimizer.
    const saved = await a.getWeights();
    const iter = saved[0]!.tensor;
    vb.forEach((v, i) => v.assign(va[i]!));
    const b = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8);
    await b.setWeights(saved.map((w) => ({ name: w.name.replace('-run-a-', '-run-b-'), tensor: w.tensor })));
    expect(b.iterations).toBe(2);
    iter.dispose();
    for (let s = 2; s < 4; s++) {
      step(a, va, s);
      step(b, vb, s);
    }
    for (let i = 0; i < shapes.length; i++) expect(Array.from(vb[i]!.dataSync())).toEqual(Array.from(va[i]!.dataSync()));
    // A restore of the variable alone (e.g. a network checkpoint) must be what the next update starts from.
    const reset = tf.zerosLike(vb[2]!);
    vb[2]!.assign(reset);
    reset.dispose();
    step(b, vb, 7);
    // One step from zero moves by a few lr at most; from the stale value it would stay ~N(0, 1).
    expect(tf.tidy(() => tf.max(tf.abs(vb[2]!)).dataSync()[0]!)).toBeLessThan(0.1);
    // Steady state: an update allocates nothing that stays.
    const steady = tf.memory().numTensors;
    step(b, vb, 8);
    step(b, vb, 9);
    expect(tf.memory().numTensors).toBe(steady);
    a.dispose();
    b.dispose();
    tf.dispose([...va, ...vb]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
