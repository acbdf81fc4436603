import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';

/**
 * 2×2 average pooling, stride 2, as a reshape and a mean: differentiable twice on every backend
 * (tfjs has no gradient for `AvgPoolGrad`, and the matching-aware gradient penalty differentiates
 * D's input gradient again).
 */
export function avgPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    return tf.mean(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D;
  });
}

export interface DBlockOptions {
  inChannels: number;
  outChannels: number;
}

/**
 * DF-GAN's `D_Block(fin, fout)`: residual conv4×4/2 → LeakyReLU(0.2) → conv3×3 → LeakyReLU (no
 * biases, `conv_r.0`/`conv_r.2`), shortcut conv1×1 with bias (`conv_s`, built always, applied only
 * when fin ≠ fout as the official code does) then 2×2 average pooling; out = shortcut + γ·residual,
 * γ (`gamma`, shape [1]) starting at 0.
 */
export class DBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly convS: Conv2d;
  readonly gamma: tf.Variable;
  readonly learnedShortcut: boolean;

  constructor(readonly opts: DBlockOptions) {
    super();
    const { inChannels: i, outChannels: o } = opts;
    this.learnedShortcut = i !== o;
    this.conv1 = new Conv2d({ inChannels: i, outChannels: o, kernel: 4, stride: 2, padding: 1 });
    this.conv2 = new Conv2d({ inChannels: o, outChannels: o, kernel: 3, padding: 1 });
    this.addModule('conv_r', new Sequential({ 0: this.conv1, 2: this.conv2 }));
    this.convS = this.addModule('conv_s', new Conv2d({ inChannels: i, outChannels: o, kernel: 1, padding: 'valid', bias: true }));
    this.gamma = this.addParam('gamma', [1], 'zeros');
  }

  /** x [B,H,W,in] → [B,H/2,W/2,out] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const r = tf.leakyRelu(this.conv2.apply(tf.leakyRelu(this.conv1.apply(x), 0.2)), 0.2);
      const s = avgPool2x2(this.learnedShortcut ? this.convS.apply(x) : x);
      return tf.add(s, tf.mul(this.gamma, r)) as tf.Tensor4D;
    });
  }
}

/** DF-GAN's channel plan (`get_D_in_out_chs`): nf·min(2^i, 8) for i < log2(size) − 1, as (in, out) pairs. */
export function oneWayChannels(nf: number, size: number): Array<[number, number]> {
  const layers = Math.round(Math.log2(size)) - 1;
  const ch = Array.from({ length: layers }, (_, i) => nf * Math.min(2 ** i, 8));
  return ch.slice(0, -1).map((c, i) => [c, ch[i + 1]!]);
}

export interface OneWayTrunkOptions {
  /** ndf (nf = 32 on birds). */
  ndf: number;
  /** Input image size (a power of two ≥ 8); the trunk ends at 4×4×8·ndf. */
  size: number;
}

/** DF-GAN's `NetD`: `conv_img` (3×3 with bias, 3 → ndf) then `DBlocks.<i>` down to 4×4×(8·ndf). */
export class OneWayTrunk extends Module {
  readonly convImg: Conv2d;
  readonly blocks: DBlock[];

  constructor(readonly opts: OneWayTrunkOptions) {
    super();
    this.convImg = this.addModule('conv_img', new Conv2d({ inChannels: 3, outChannels: opts.ndf, kernel: 3, padding: 1, bias: true }));
    this.blocks = oneWayChannels(opts.ndf, opts.size).map(([i, o]) => new DBlock({ inChannels: i, outChannels: o }));
    this.addModule('DBlocks', new Sequential(Object.fromEntries(this.blocks.map((b, i) => [String(i), b]))));
  }

  /** image [B,S,S,3] → features [B,4,4,8·ndf] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.convImg.apply(x);
      for (const b of this.blocks) h = b.apply(h);
      return h;
    });
  }
}

export interface JointConditionalOptions {
  ndf: number;
  /** Sentence size (cond_dim, 256). */
  condDim: number;
}

/**
 * DF-GAN's `NetC`, the one-way output: the sentence tiled over the 4×4 features and concatenated,
 * `joint_conv.0` 3×3 (8·ndf + cond → 2·ndf, no bias) → LeakyReLU(0.2) → `joint_conv.2` 4×4 valid
 * (→ 1, no bias): one conditional logit per image.
 */
export class JointConditional extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;

  constructor(readonly opts: JointConditionalOptions) {
    super();
    const { ndf, condDim } = opts;
    this.conv1 = new Conv2d({ inChannels: 8 * ndf + condDim, outChannels: 2 * ndf, kernel: 3, padding: 1 });
    this.conv2 = new Conv2d({ inChannels: 2 * ndf, outChannels: 1, kernel: 4, padding: 'valid' });
    this.addModule('joint_conv', new Sequential({ 0: this.conv1, 2: this.conv2 }));
  }

  /** features [B,4,4,8·ndf], sentence [B,cond] → logits [B] */
  apply(features: tf.Tensor4D, sentence: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const [b, h, w] = features.shape;
      const y = tf.tile(tf.reshape(sentence, [b, 1, 1, this.opts.condDim]), [1, h, w, 1]);
      const joint = tf.concat([features, y], -1) as tf.Tensor4D;
      return tf.reshape(this.conv2.apply(tf.leakyRelu(this.conv1.apply(joint), 0.2)), [b]) as tf.Tensor1D;
    });
  }
}
