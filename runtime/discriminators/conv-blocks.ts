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
 * The original's image encoder as n × [conv 4×4/2/1 no bias] with ndf, 2ndf, 4ndf, … channels,
 * BN after every conv but the first, LeakyReLU(0.2) after each. Sequential indices as PyTorch numbers
 * them: 0 conv, (1 lrelu), 2 conv, 3 BN, (4), 5 conv, 6 BN, (7), 8 conv, 9 BN, (10).
 */
abstract class StridedImageEncoder extends Module {
  readonly convs: Conv2d[] = [];
  readonly bns: BatchNorm[] = [];

  constructor(opts: EncodeImageOptions, convCount: number) {
    super();
    const chans = [opts.inChannels ?? 3, ...Array.from({ length: convCount }, (_, i) => opts.ndf * 2 ** i)];
    for (let i = 0; i < convCount; i++) {
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
      for (let i = 1; i < this.convs.length; i++) h = tf.leakyRelu(this.bns[i - 1]!.apply(this.convs[i]!.apply(h), training), SLOPE);
      return h;
    });
  }
}

/** `encode_image_by_16times(ndf)`: [B,S,S,3] → [B,S/16,S/16,8ndf] (D64/128/256). */
export class EncodeImageBy16Times extends StridedImageEncoder {
  constructor(readonly opts: EncodeImageOptions) {
    super(opts, 4);
  }
}

/**
 * The first three convs of `encode_image_by_16times(ndf)`: [B,S,S,3] → [B,S/8,S/8,4ndf]. The image
 * code of a 32 px discriminator, a size the original never trains (attnc's tiny CPU model uses it).
 */
export class EncodeImageBy8Times extends StridedImageEncoder {
  constructor(readonly opts: EncodeImageOptions) {
    super(opts, 3);
  }
}
