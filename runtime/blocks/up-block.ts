import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { glu } from './glu.js';
import { upsampleConv3x3 } from './upsample-conv.js';

export interface UpBlockOptions {
  inChannels: number;
  outChannels: number;
}

/**
 * `upBlock(in, out)` (`model.py`): nearest ×2 → conv3x3(in → 2·out, no bias) → BN(2·out) → GLU.
 * An `nn.Sequential` in the original, so children sit at its indices: `1` conv, `2` BN
 * (0 = Upsample and 3 = GLU hold no parameters). The upsampling and the convolution run as one
 * (`upsampleConv3x3`), a transposed convolution on large maps.
 */
export class UpBlock extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(readonly opts: UpBlockOptions) {
    super();
    const c2 = 2 * opts.outChannels;
    this.conv = this.addModule('1', new Conv2d({ inChannels: opts.inChannels, outChannels: c2, kernel: 3, padding: 1 }));
    this.bn = this.addModule('2', new BatchNorm({ channels: c2 }));
  }

  /** x [B,H,W,in] → [B,2H,2W,out] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => glu(this.bn.apply(upsampleConv3x3(x, this.conv.weight as tf.Tensor4D, (u) => this.conv.apply(u)), training)));
  }
}
