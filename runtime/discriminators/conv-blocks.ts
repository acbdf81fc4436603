import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Conv2d, type Conv2dOptions } from '../nn/layers.js';
import { SpectralNorm } from '../nn/spectral-norm.js';
import { Module } from '../nn/module.js';

const SLOPE = 0.2;

export interface ChannelsOptions {
  inChannels: number;
  outChannels: number;
  /**
   * DM-GAN's blocks (`code/model.py`): the conv wrapped in `SpectralNorm`, with a bias, and no
   * BatchNorm (keys `0.module.{bias,weight_u,weight_v,weight_bar}`). Default false: AttnGAN's.
   */
  spectralNorm?: boolean;
}

/** A D conv as AttnGAN builds it (bias-free, then BN) or DM-GAN (spectrally normalised, biased, no BN). */
type DConv = Conv2d | SpectralNorm;

function dConv(spectral: boolean, opts: Conv2dOptions): DConv {
  return spectral ? new SpectralNorm({ ...opts, bias: true }) : new Conv2d(opts);
}

/** conv → BN (AttnGAN) or spectrally normalised conv (DM-GAN) → LeakyReLU(0.2). */
abstract class ConvBnLeaky extends Module {
  readonly conv: DConv;
  readonly bn: BatchNorm | null;

  constructor(opts: ChannelsOptions, kernel: number, stride: number) {
    super();
    const spectral = opts.spectralNorm ?? false;
    const { inChannels, outChannels } = opts;
    this.conv = this.addModule('0', dConv(spectral, { inChannels, outChannels, kernel, stride, padding: 1 }));
    this.bn = spectral ? null : this.addModule('1', new BatchNorm({ channels: opts.outChannels }));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.conv.apply(x);
      return tf.leakyRelu(this.bn ? this.bn.apply(h, training) : h, SLOPE);
    });
  }
}

/** `downBlock(in, out)`: conv 4×4/2/1 (no bias) → BN → LeakyReLU(0.2). Keys `0.weight`, `1.*`. x [B,H,W,in] → [B,H/2,W/2,out]. */
export class DownBlock extends ConvBnLeaky {
  constructor(readonly opts: ChannelsOptions) {
    super(opts, 4, 2);
  }
}

/** `Block3x3_leakRelu(in, out)`: conv3x3 (no bias) → BN → LeakyReLU(0.2). Keys `0.weight`, `1.*`. x [B,H,W,in] → [B,H,W,out]. */
export class Block3x3LeakRelu extends ConvBnLeaky {
  constructor(readonly opts: ChannelsOptions) {
    super(opts, 3, 1);
  }
}

export interface EncodeImageOptions {
  ndf: number;
  inChannels?: number;
  /** DM-GAN's encoder: every conv spectrally normalised with a bias, no BatchNorm (convs at 0, 2, 4, 6). */
  spectralNorm?: boolean;
}

/**
 * The original's image encoder as n × [conv 4×4/2/1 no bias] with ndf, 2ndf, 4ndf, … channels,
 * BN after every conv but the first, LeakyReLU(0.2) after each. Sequential indices as PyTorch numbers
 * them: 0 conv, (1 lrelu), 2 conv, 3 BN, (4), 5 conv, 6 BN, (7), 8 conv, 9 BN, (10).
 * DM-GAN's (`spectralNorm`): SpectralNorm(conv with bias) at 0, 2, 4, 6, LeakyReLU between, no BN.
 */
abstract class StridedImageEncoder extends Module {
  readonly convs: DConv[] = [];
  readonly bns: BatchNorm[] = [];

  constructor(opts: EncodeImageOptions, convCount: number) {
    super();
    const spectral = opts.spectralNorm ?? false;
    const chans = [opts.inChannels ?? 3, ...Array.from({ length: convCount }, (_, i) => opts.ndf * 2 ** i)];
    for (let i = 0; i < convCount; i++) {
      const idx = spectral ? 2 * i : i === 0 ? 0 : 3 * i - 1; // 0, 2, 4, 6 or 0, 2, 5, 8
      this.convs.push(
        this.addModule(String(idx), dConv(spectral, { inChannels: chans[i]!, outChannels: chans[i + 1]!, kernel: 4, stride: 2, padding: 1 })),
      );
      if (i > 0 && !spectral) this.bns.push(this.addModule(String(idx + 1), new BatchNorm({ channels: chans[i + 1]! })));
    }
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = tf.leakyRelu(this.convs[0]!.apply(x), SLOPE);
      for (let i = 1; i < this.convs.length; i++) {
        const c = this.convs[i]!.apply(h);
        h = tf.leakyRelu(this.bns.length ? this.bns[i - 1]!.apply(c, training) : c, SLOPE);
      }
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

/**
 * The first two convs of `encode_image_by_16times(ndf)`: [B,S,S,3] → [B,S/4,S/4,2ndf]. The image
 * code of a 16 px discriminator (the first stage of a 16 → 32 → 64 px generator), a size the
 * original never trains.
 */
export class EncodeImageBy4Times extends StridedImageEncoder {
  constructor(readonly opts: EncodeImageOptions) {
    super(opts, 2);
  }
}
