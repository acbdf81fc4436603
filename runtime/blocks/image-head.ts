import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';

export interface ImageHeadOptions {
  /** ngf: input channels. */
  channels: number;
}

/** `GET_IMAGE_G(ngf)` (§5.5): conv3x3(ngf → 3, no bias) → tanh. Key `img.0.weight`. */
export class ImageHead extends Module {
  readonly conv: Conv2d;

  constructor(readonly opts: ImageHeadOptions) {
    super();
    this.conv = new Conv2d({ inChannels: opts.channels, outChannels: 3, kernel: 3, padding: 1 });
    this.addModule('img', new Sequential({ 0: this.conv }));
  }

  /** h [B,H,W,ngf] → image [B,H,W,3] in [−1, 1] */
  apply(h: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.tanh(this.conv.apply(h)));
  }
}
