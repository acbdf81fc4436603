import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { backendInfo, parseBackendChoice } from '../../../runtime/backend/index.js';
import { probeBackend } from '../../../runtime/backend/probe.js';

describe('backend', () => {
  it('runs on the native TensorFlow backend in CI (no silent fallback to wasm/cpu)', () => {
    const info = backendInfo();
    expect(info).toBeDefined();
    if (process.env.CI === 'true' || !process.env.ATTNC_BACKEND || process.env.ATTNC_BACKEND === 'auto') {
      expect(info!.name).toBe('tensorflow');
      expect(tf.getBackend()).toBe('tensorflow');
      expect(info!.libtensorflow).toBe('2.21.0');
    }
  });

  it('parses backend choices and rejects unknown ones with a usage error', () => {
    expect(parseBackendChoice(undefined)).toBe('auto');
    expect(parseBackendChoice('wasm')).toBe('wasm');
    expect(() => parseBackendChoice('tpu')).toThrowError(/unknown backend "tpu"/);
  });

  it('speed probe measures a backend and restores the active one', async () => {
    const before = tf.getBackend();
    const r = await probeBackend('cpu');
    expect(r.ms).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe(before);
  });

  it('trains a variable with a gradient step on the active backend', () => {
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]));
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const opt = tf.train.adam(0.1);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar);
    // Adam creates its slot variables on the first step only.
    const n1 = tf.memory().numTensors;
    opt.minimize(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(n1);
    expect(n1).toBeGreaterThanOrEqual(n0);
    expect(tf.sum(w).arraySync()).toBeLessThan(10);
    tf.dispose([w, x]);
    opt.dispose();
  });
});
