import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../runtime/backend/index.js';
import { itInternals } from '../../native.js';

// ReLU / LeakyReLU gradients through TensorFlow's ReluGrad / LeakyReluGrad (runtime/backend/native-grads.ts)
// must equal tfjs-core's formulas exactly, zero included.
describe('native ReLU gradients', () => {
  itInternals('run as one TensorFlow kernel each and equal tfjs-core’s formulas (x = 0 included)', async () => {
    const info = await initBackend('tensorflow', { quiet: true });
    expect(info.name).toBe('tensorflow');
    const x = tf.tensor1d([-2, -0.5, 0, 0.5, 3]);
    const dy = tf.tensor1d([1, 2, 3, 4, 5]);
    const seen: string[] = [];
    const eng = tf.engine() as unknown as { runKernel: (k: string, ...a: unknown[]) => unknown };
    const run = eng.runKernel.bind(eng);
    eng.runKernel = (k: string, ...a: unknown[]) => (seen.push(k), run(k, ...a));
    let relu: tf.Tensor, leaky: tf.Tensor;
    try {
      relu = tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy);
      leaky = tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.2))(x, dy);
    } finally {
      eng.runKernel = run;
    }
    expect(seen).toContain('AttncReluGrad');
    expect(seen).toContain('AttncLeakyReluGrad');
    expect(seen).not.toContain('Step');
    expect(Array.from(relu.dataSync())).toEqual([0, 0, 0, 4, 5]);
    expect(Array.from(leaky.dataSync())).toEqual(Array.from(new Float32Array([0.2, 0.4, 3 * 0.2, 4, 5])));
    const ref = tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2)));
    expect(Array.from(leaky.dataSync())).toEqual(Array.from(ref.dataSync()));
    // Second order: d/dx of (d/dx Σ leakyRelu(x)·x) exists and is the mask again (the mask itself is flat).
    const h = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.leakyRelu(u, 0.2)))(v), v)))(x);
    expect(Array.from(h.dataSync())).toEqual(Array.from(new Float32Array([0.2, 0.2, 0.2, 1, 1])));
    tf.dispose([x, dy, relu, leaky, ref, h]);
  });

  itInternals('save the activation’s output, not its input, and refuse a negative LeakyReLU slope', () => {
    const x = tf.tensor1d([-1, 2]);
    const savedIsOutput: boolean[] = [];
    const g = tf.grad((v: tf.Tensor) => {
      const y = tf.relu(tf.add(v, 0)); // the pre-activation v + 0 exists only for the relu
      const z = tf.leakyRelu(y, 0.2);
      const tape = (tf.engine().state as unknown as { activeTape: Array<{ kernelName: string; saved?: tf.Tensor[] }> }).activeTape;
      for (const [name, out] of [['Relu', y], ['LeakyRelu', z]] as const) {
        const node = tape.filter((n) => n.kernelName === name).pop()!;
        savedIsOutput.push(node.saved!.length === 1 && node.saved![0]!.dataId === out.dataId);
      }
      return tf.sum(z);
    })(x);
    expect(savedIsOutput).toEqual([true, true]);
    expect(Array.from(g.dataSync())).toEqual([0, 1]);
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, -0.5)))(x)).toThrow(/slope -0.5 < 0/);
    tf.dispose([x, g]);
  });

  it('fall back to tfjs-core’s formulas on other backends', async () => {
    await tf.setBackend('cpu');
    try {
      tf.tidy(() => {
        const x = tf.tensor1d([-2, 0, 3]);
        const dy = tf.tensor1d([1, 2, 3]);
        expect(Array.from(tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy).dataSync())).toEqual([0, 0, 3]);
        expect(Array.from(tf.grad((v: tf.Tensor) => tf.leakyRelu(v, 0.5))(x, dy).dataSync())).toEqual([0.5, 1, 3]);
      });
    } finally {
      await tf.setBackend('tensorflow');
    }
  });
});
