import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { glu } from './glu.js';

export interface ResBlockOptions {
  channels: number;
}

/**
 * `ResBlock(C)`: conv3x3(C→2C) → BN(2C) → GLU → conv3x3(C→C) → BN(C), plus the input; no
 * activation after the sum. Keys `block.0` conv, `block.1` BN, (`block.2` GLU), `block.3` conv, `block.4` BN.
 */
export class ResBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;

  constructor(readonly opts: ResBlockOptions) {
    super();
    const c = opts.channels;
    this.conv1 = new Conv2d({ inChannels: c, outChannels: 2 * c, kernel: 3, padding: 1 });
    this.bn1 = new BatchNorm({ channels: 2 * c });
    this.conv2 = new Conv2d({ inChannels: c, outChannels: c, kernel: 3, padding: 1 });
    this.bn2 = new BatchNorm({ channels: c });
    this.addModule('block', new Sequential({ 0: this.conv1, 1: this.bn1, 3: this.conv2, 4: this.bn2 }));
  }

  /** x [B,H,W,C] → [B,H,W,C] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = glu(this.bn1.apply(this.conv1.apply(x), training));
      return tf.add(this.bn2.apply(this.conv2.apply(h), training), x);
    });
  }
}
