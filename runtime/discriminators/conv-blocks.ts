import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d } from '../nn/layers.js';
import { Module } from '../nn/module.js';

const SLOPE = 0.2;

export interface ChannelsOptions {
  inChannels: number;
  outChannels: number;
}

/** `downBlock(in, out)`: conv 4×4/2/1 (no bias) → BN → LeakyReLU(0.2). Keys `0.weight`, `1.*`. */
export class DownBlock extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(readonly opts: ChannelsOptions) {
    super();
    this.conv = this.addModule('0', new Conv2d({ ...opts, kernel: 4, stride: 2, padding: 1 }));
    this.bn = this.addModule('1', new BatchNorm({ channels: opts.outChannels }));
  }

  /** x [B,H,W,in] → [B,H/2,W/2,out] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.leakyRelu(this.bn.apply(this.conv.apply(x), training), SLOPE));
  }
}

/** `Block3x3_leakRelu(in, out)`: conv3x3 (no bias) → BN → LeakyReLU(0.2). Keys `0.weight`, `1.*`. */
export class Block3x3LeakRelu extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;

  constructor(readonly opts: ChannelsOptions) {
    super();
    this.conv = this.addModule('0', new Conv2d({ ...opts, kernel: 3, padding: 1 }));
    this.bn = this.addModule('1', new BatchNorm({ channels: opts.outChannels }));
  }

  /** x [B,H,W,in] → [B,H,W,out] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.leakyRelu(this.bn.apply(this.conv.apply(x), training), SLOPE));
  }
}

export interface EncodeImageOptions {
  ndf: number;
  inChannels?: number;
}

/**
 * `encode_image_by_16times(ndf)`: 4 × [conv 4×4/2/1 no bias] with ndf, 2ndf, 4ndf, 8ndf channels,
 * BN after convs 2–4 (not the first), LeakyReLU(0.2) after each. [B,S,S,3] → [B,S/16,S/16,8ndf].
 * Sequential indices: 0 conv, (1 lrelu), 2 conv, 3 BN, (4), 5 conv, 6 BN, (7), 8 conv, 9 BN, (10).
 */
export class EncodeImageBy16Times extends Module {
  readonly convs: Conv2d[];
  readonly bns: BatchNorm[];

  constructor(readonly opts: EncodeImageOptions) {
    super();
    const ndf = opts.ndf;
    const chans = [opts.inChannels ?? 3, ndf, 2 * ndf, 4 * ndf, 8 * ndf];
    this.convs = [];
    this.bns = [];
    for (let i = 0; i < 4; i++) {
      const idx = i === 0 ? 0 : 3 * i - 1; // 0, 2, 5, 8
      this.convs.push(
        this.addModule(String(idx), new Conv2d({ inChannels: chans[i]!, outChannels: chans[i + 1]!, kernel: 4, stride: 2, padding: 1 })),
      );
      if (i > 0) this.bns.push(this.addModule(String(idx + 1), new BatchNorm({ channels: chans[i + 1]! })));
    }
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = tf.leakyRelu(this.convs[0]!.apply(x), SLOPE);
      for (let i = 1; i < 4; i++) h = tf.leakyRelu(this.bns[i - 1]!.apply(this.convs[i]!.apply(h), training), SLOPE);
      return h;
    });
  }
}
