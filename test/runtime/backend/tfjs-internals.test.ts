import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { installNativeGradients, removeNativeGradients } from '../../../runtime/backend/native-grads.js';
import {
  checkTfjsVersion,
  internalsEnabled,
  isTaping,
  nativeBackend,
  overriddenGradients,
  portableReasonFor,
  setPortableReason,
  TESTED_TFJS,
} from '../../../runtime/backend/tfjs-internals.js';
import { LeanAdamOptimizer } from '../../../runtime/optim/adam.js';
import { leanBackprop } from '../../../runtime/optim/lean-backprop.js';
import { untaped } from '../../../runtime/optim/tape.js';

afterEach(() => setPortableReason(undefined));

describe('the fence around tfjs internals', () => {
  it('uses the internals only on a tested tfjs and without ATTNC_PORTABLE', () => {
    expect(TESTED_TFJS).toContain(tf.version_core);
    expect(portableReasonFor({}, tf.version_core)).toBeNull();
    expect(portableReasonFor({ ATTNC_PORTABLE: '0' }, tf.version_core)).toBeNull();
    expect(portableReasonFor({ ATTNC_PORTABLE: '1' }, tf.version_core)).toBe('ATTNC_PORTABLE is set');
    expect(portableReasonFor({}, '4.99.0')).toMatch(/tfjs 4\.99\.0 is not a version attnc was tested with/);
  });

  it('warns once at start-up on an untested tfjs, not when the portable paths were asked for', () => {
    const lines: string[] = [];
    expect(checkTfjsVersion((l) => lines.push(l), {}, tf.version_core)).toBeNull();
    expect(lines).toEqual([]);
    checkTfjsVersion((l) => lines.push(l), { ATTNC_PORTABLE: '1' }, tf.version_core);
    expect(lines).toEqual([]);
    checkTfjsVersion((l) => lines.push(l), {}, '5.0.0');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^attnc: tfjs 5\.0\.0 is not a version .*; using the portable paths/);
  });

  it('on the portable paths: no lean backward pass, no tape set aside, tfjs\'s own Adam, no native ops — the same gradients and updates', async () => {
    const run = () => {
      const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]), true, `w-${Math.random()}`);
      const opt = new LeanAdamOptimizer(0.01, 0.5, 0.999, 1e-8);
      const taping: boolean[] = [];
      for (let i = 0; i < 3; i++) {
        const f = () => {
          untaped(() => taping.push(isTaping()));
          return tf.sum(tf.square(tf.relu(tf.matMul(w, w)))) as tf.Scalar;
        };
        const { value, grads } = tf.variableGrads(leanBackprop(f), [w]);
        opt.applyGradients(grads);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const out = Array.from(w.dataSync());
      const fused = opt.fused;
      opt.dispose();
      w.dispose();
      return { out, taping, fused };
    };
    setPortableReason(null);
    const fast = run();
    expect(fast.taping).toEqual([false, false, false]);
    setPortableReason('test');
    expect(internalsEnabled()).toBe(false);
    expect(nativeBackend()).toBeNull();
    const f = () => tf.scalar(1);
    expect(leanBackprop(f)).toBe(f);
    const portable = run();
    expect(portable.taping).toEqual([true, true, true]);
    expect(portable.fused).toBe(false);
    for (let i = 0; i < 4; i++) expect(portable.out[i]).toBeCloseTo(fast.out[i]!, 5);
  });

  it('installs the ReLU / LeakyReLU gradient overrides explicitly and puts tfjs\'s own back on removal', () => {
    const wasInstalled = overriddenGradients().length > 0;
    setPortableReason(null);
    installNativeGradients();
    expect(overriddenGradients().sort()).toEqual(['LeakyRelu', 'Relu']);
    expect(tf.getGradient('Relu').outputsToSave).toEqual([true]);
    removeNativeGradients();
    expect(overriddenGradients()).toEqual([]);
    expect(tf.getGradient('Relu').outputsToSave).toBeUndefined();
    expect(tf.getGradient('Relu').inputsToSave).toEqual(['x']);
    expect(tf.getGradient('LeakyRelu').inputsToSave).toEqual(['x']);
    setPortableReason('test');
    expect(installNativeGradients()).toBe(false);
    expect(overriddenGradients()).toEqual([]);
    setPortableReason(null);
    if (wasInstalled) installNativeGradients();
  });
});
