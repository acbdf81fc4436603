import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';

/**
 * The DAMSM projection heads, initialised as `CNN_ENCODER.init_trainable_weights`: weights
 * U(−0.1, 0.1) (the Linear bias keeps PyTorch's default). Local classes rather than `Conv2d` /
 * `Linear` so that `resetParameters` re-draws them with this init.
 */

/** `emb_features`: 1×1 conv, no bias; weight [1,1,in,out] (PyTorch [out,in,1,1]). */
export class ProjectionConv1x1 extends Module {
  readonly weight: tf.Variable;
  constructor(inC: number, outC: number) {
    super();
    this.weight = this.addParam('weight', [1, 1, inC, outC], { kind: 'uniform', limit: 0.1 }, 'conv');
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.conv2d(x, this.weight as tf.Tensor4D, 1, 'valid');
  }
}

/** `emb_cnn_code`: Linear with bias; weight [in,out] (PyTorch [out,in]). */
export class ProjectionLinear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inF: number, outF: number) {
    super();
    this.weight = this.addParam('weight', [inF, outF], { kind: 'uniform', limit: 0.1 }, 'linear');
    this.bias = this.addParam('bias', [outF], { kind: 'torch_default_linear', fanIn: inF });
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x, this.weight as tf.Tensor2D), this.bias));
  }
}
