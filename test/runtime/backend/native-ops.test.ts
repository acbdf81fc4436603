import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { nativeBatchNormInfer, nativeBatchNormTrain, nativeBatchNormTrainWithGrad } from '../../../runtime/backend/native-ops.js';
import { BatchNorm } from '../../../runtime/nn/layers.js';
import { itNative } from '../../native.js';

// The native ops exist only on the tensorflow backend; elsewhere they answer null and BatchNorm
// keeps its portable path (the numerics of both are compared in test/runtime/nn/layers.test.ts).
describe('native ops off the native backend', () => {
  itNative('return null on the cpu backend, where BatchNorm still trains and evaluates', async () => {
    await tf.setBackend('cpu');
    try {
      tf.tidy(() => {
        const x = tf.randomUniform([2, 3, 3, 4], -1, 1, 'float32', 7) as tf.Tensor4D;
        const g = tf.ones([4]) as tf.Tensor1D;
        const b = tf.zeros([4]) as tf.Tensor1D;
        expect(nativeBatchNormTrain(x, g, b, 1e-5, { mean: b, variance: g, momentum: 0.1 })).toBeNull();
        expect(nativeBatchNormTrainWithGrad(x, g, b, 1e-5, { mean: b, variance: g, momentum: 0.1 })).toBeNull();
        expect(nativeBatchNormInfer(x, g, b, b, g, 1e-5)).toBeNull();
        const bn = new BatchNorm({ channels: 4 });
        const y = bn.apply(x, true);
        // Train mode normalises each channel to mean 0, (biased) variance 1/(1+ε·…) ≈ 1.
        const { mean, variance } = tf.moments(y, [0, 1, 2]);
        expect(Math.max(...Array.from(mean.dataSync()).map(Math.abs))).toBeLessThan(1e-5);
        for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.square(bn.apply(t as tf.Tensor4D, true))))(x);
        expect(dx.shape).toEqual(x.shape);
        expect(bn.apply(x, false).shape).toEqual(x.shape);
        bn.dispose();
      });
    } finally {
      await tf.setBackend('tensorflow');
    }
  });
});
