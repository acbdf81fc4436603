import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { untaped } from '../../../runtime/optim/tape.js';

describe('untaped', () => {
  it('hides its ops from the enclosing tape, runs its own gradients, and leaves the outer gradient exact', () => {
    const g = tf.variable(tf.tensor1d([1, 2, 3]), true, 'tape-test-g');
    const d = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'tape-test-d');
    const before = tf.memory().numTensors;
    const opt = tf.train.sgd(0.1);
    let innerLoss: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const fake = tf.mul(g, 2); // "generator forward", recorded
      // "discriminator step" on the fake: its own gradient (w.r.t. d only), then an update of d.
      innerLoss = untaped(() => {
        const r = tf.variableGrads(() => tf.sum(tf.mul(fake, d)) as tf.Scalar, [d]);
        // ∂/∂d Σ fake·d = fake = 2g
        expect(Array.from(r.grads[d.name]!.dataSync())).toEqual([2, 4, 6]);
        opt.applyGradients(r.grads);
        tf.dispose(r.grads);
        return r.value;
      });
      // "generator loss" through the updated d: Σ 2g·d' → ∂/∂g = 2·d'
      return tf.sum(tf.mul(fake, d)) as tf.Scalar;
    }, [g]);
    // d' = d − 0.1·2g = [0.3, −1.4, 1.4]
    const dNew = Array.from(d.dataSync());
    expect(dNew.map((x) => +x.toFixed(5))).toEqual([0.3, -1.4, 1.4]);
    expect(Array.from(grads[g.name]!.dataSync()).map((x) => +x.toFixed(5))).toEqual(dNew.map((x) => +(2 * x).toFixed(5)));
    // The untaped result survived the forward scope.
    expect(innerLoss!.isDisposed).toBe(false);
    expect(innerLoss!.dataSync()[0]).toBeCloseTo(2 * 0.5 - 4 + 12, 5);
    // Only g's gradient: d's update did not join the tape, and nothing recorded is left behind.
    expect(Object.keys(grads)).toEqual([g.name]);
    tf.dispose([value, innerLoss!, ...Object.values(grads)]);
    expect(tf.engine().state.gradientDepth).toBe(0);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
    d.dispose();
  });

  it('restores the tape state when fn throws', () => {
    expect(() =>
      tf.grad((x: tf.Tensor) => {
        untaped(() => {
          throw new Error('boom');
        });
        return tf.sum(x);
      })(tf.ones([2])),
    ).toThrow('boom');
    expect(tf.engine().state.gradientDepth).toBe(0);
    // A later gradient still works.
    const gr = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([3]));
    expect(gr.dataSync()[0]).toBe(6);
  });
});
