import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d } from '../nn/layers.js';
import { Module } from '../nn/module.js';

const SLOPE = 0.2;

/**
 * The first three convs of `encode_image_by_16times(ndf)` (conv 4×4/2, BN after the 2nd and 3rd,
 * LeakyReLU 0.2 after each): [B,32,32,3] → [B,4,4,4ndf]. The image code of a 32 px discriminator
 * (a size the original never trains), with the same Sequential indices: 0 conv, 2 conv, 3 BN,
 * 5 conv, 6 BN. Lives here until runtime/discriminators takes it over.
 */
export class EncodeImageBy8Times extends Module {
  readonly convs: Conv2d[] = [];
  readonly bns: BatchNorm[] = [];

  constructor(readonly opts: { ndf: number; inChannels?: number }) {
    super();
    const ndf = opts.ndf;
    const chans = [opts.inChannels ?? 3, ndf, 2 * ndf, 4 * ndf];
    for (let i = 0; i < 3; i++) {
      const idx = i === 0 ? 0 : 3 * i - 1; // 0, 2, 5
      this.convs.push(
        this.addModule(String(idx), new Conv2d({ inChannels: chans[i]!, outChannels: chans[i + 1]!, kernel: 4, stride: 2, padding: 1 })),
      );
      if (i > 0) this.bns.push(this.addModule(String(idx + 1), new BatchNorm({ channels: chans[i + 1]! })));
    }
  }

  /** x [B,S,S,3] → [B,S/8,S/8,4ndf] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = tf.leakyRelu(this.convs[0]!.apply(x), SLOPE);
      for (let i = 1; i < 3; i++) h = tf.leakyRelu(this.bns[i - 1]!.apply(this.convs[i]!.apply(h), training), SLOPE);
      return h;
    });
  }
}
