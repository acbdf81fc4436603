import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { nativeBatchNormInfer, nativeLstmSequence, registeredNativeOps, registerNativeOps } from '../../../runtime/backend/native-registry.js';
import { nativeBatchNormInfer as directInfer } from '../../../runtime/backend/native-ops.js';

/**
 * The portable layers reach the native fast paths only through the registry, which native-ops.ts
 * fills as it loads (runtime/backend/index.ts loads it; a browser bundle never does).
 */
describe('native-registry', () => {
  it('holds native-ops.ts once the backend selection has loaded', async () => {
    await import('../../../runtime/backend/index.js');
    expect(registeredNativeOps()?.batchNormInfer).toBe(directInfer);
  });

  it('the delegates return null with nothing registered and call what is registered', () => {
    const saved = registeredNativeOps();
    const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const one = tf.ones([1]) as tf.Tensor1D;
    try {
      registerNativeOps(null);
      expect(nativeBatchNormInfer(x, one, one, one, one, 1e-5)).toBeNull();
      tf.tidy(() => {
        expect(nativeLstmSequence(tf.zeros([1, 1, 1]) as tf.Tensor3D, tf.zeros([2, 4]) as tf.Tensor2D, tf.zeros([4]) as tf.Tensor1D)).toBeNull();
      });
      const calls: number[] = [];
      registerNativeOps({ ...saved!, batchNormInfer: (_x, _g, _b, _m, _v, eps) => (calls.push(eps), x) });
      expect(nativeBatchNormInfer(x, one, one, one, one, 0.25)).toBe(x);
      expect(calls).toEqual([0.25]);
    } finally {
      registerNativeOps(saved);
      tf.dispose([x, one]);
    }
  });
});
