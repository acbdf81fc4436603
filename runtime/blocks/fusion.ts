import * as tf from '@tensorflow/tfjs';
import { Conv2d, Linear } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { upsampleNearest2x } from './upsample.js';

export interface AffineOptions {
  /** Size of the condition: [noise, sentence] (z_dim + cond_dim) in DF-GAN. */
  condDim: number;
  channels: number;
}

/**
 * DF-GAN's `Affine` (tobran/DF-GAN `code/models/GAN.py`): per-channel scale γ(y) and shift β(y) of
 * the feature map, each a two-layer MLP of the condition (`fc_gamma`/`fc_beta`: `linear1` →
 * ReLU → `linear2`). The official code starts `linear2` at the identity map (γ's weight 0, bias
 * 1; β's weight 0, bias 0): `resetToIdentity` does that after any init scheme.
 */
export class Affine extends Module {
  readonly gamma1: Linear;
  readonly gamma2: Linear;
  readonly beta1: Linear;
  readonly beta2: Linear;

  constructor(readonly opts: AffineOptions) {
    super();
    const { condDim, channels } = opts;
    this.gamma1 = new Linear({ inFeatures: condDim, outFeatures: channels, bias: true });
    this.gamma2 = new Linear({ inFeatures: channels, outFeatures: channels, bias: true });
    this.beta1 = new Linear({ inFeatures: condDim, outFeatures: channels, bias: true });
    this.beta2 = new Linear({ inFeatures: channels, outFeatures: channels, bias: true });
    this.addModule('fc_gamma', new Sequential({ linear1: this.gamma1, linear2: this.gamma2 }));
    this.addModule('fc_beta', new Sequential({ linear1: this.beta1, linear2: this.beta2 }));
    this.resetToIdentity();
  }

  /** `Affine._initialize`: γ = 1, β = 0 whatever the condition. */
  resetToIdentity(): void {
    // Modules built shape-only (Module.shapeOnly) hold no tensors.
    if ((this.gamma2.weight as tf.Variable | undefined) === undefined) return;
    tf.tidy(() => {
      this.gamma2.weight.assign(tf.zerosLike(this.gamma2.weight));
      this.gamma2.bias!.assign(tf.onesLike(this.gamma2.bias!));
      this.beta2.weight.assign(tf.zerosLike(this.beta2.weight));
      this.beta2.bias!.assign(tf.zerosLike(this.beta2.bias!));
    });
  }

  /** x [B,H,W,C], y [B,condDim] → γ(y)·x + β(y) */
  apply(x: tf.Tensor4D, y: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, , , c] = x.shape;
      const g = this.gamma2.apply(tf.relu(this.gamma1.apply(y)));
      const bt = this.beta2.apply(tf.relu(this.beta1.apply(y)));
      return tf.add(tf.mul(x, tf.reshape(g, [b, 1, 1, c])), tf.reshape(bt, [b, 1, 1, c])) as tf.Tensor4D;
    });
  }
}

/** `DFBLK`: affine0 → LeakyReLU(0.2) → affine1 → LeakyReLU(0.2). Keys `affine0.*`, `affine1.*`. */
export class FusionBlock extends Module {
  readonly affine0: Affine;
  readonly affine1: Affine;

  constructor(readonly opts: AffineOptions) {
    super();
    this.affine0 = this.addModule('affine0', new Affine(opts));
    this.affine1 = this.addModule('affine1', new Affine(opts));
  }

  resetToIdentity(): void {
    this.affine0.resetToIdentity();
    this.affine1.resetToIdentity();
  }

  apply(x: tf.Tensor4D, y: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => tf.leakyRelu(this.affine1.apply(tf.leakyRelu(this.affine0.apply(x, y), 0.2), y), 0.2));
  }
}

export interface FusionUpBlockOptions {
  condDim: number;
  inChannels: number;
  outChannels: number;
}

/**
 * `G_Block(cond_dim, in, out, upsample=True)`: nearest ×2, then shortcut (1×1 conv `c_sc` when the
 * channels change) + residual fuse1 → c1 (3×3) → fuse2 → c2 (3×3); convs with bias.
 */
export class FusionUpBlock extends Module {
  readonly c1: Conv2d;
  readonly c2: Conv2d;
  readonly fuse1: FusionBlock;
  readonly fuse2: FusionBlock;
  readonly cSc: Conv2d | null;

  constructor(readonly opts: FusionUpBlockOptions) {
    super();
    const { condDim, inChannels: i, outChannels: o } = opts;
    this.c1 = this.addModule('c1', new Conv2d({ inChannels: i, outChannels: o, kernel: 3, padding: 1, bias: true }));
    this.c2 = this.addModule('c2', new Conv2d({ inChannels: o, outChannels: o, kernel: 3, padding: 1, bias: true }));
    this.fuse1 = this.addModule('fuse1', new FusionBlock({ condDim, channels: i }));
    this.fuse2 = this.addModule('fuse2', new FusionBlock({ condDim, channels: o }));
    this.cSc = i !== o ? this.addModule('c_sc', new Conv2d({ inChannels: i, outChannels: o, kernel: 1, padding: 'valid', bias: true })) : null;
  }

  resetToIdentity(): void {
    this.fuse1.resetToIdentity();
    this.fuse2.resetToIdentity();
  }

  /** x [B,H,W,in], y [B,condDim] → [B,2H,2W,out] */
  apply(x: tf.Tensor4D, y: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const u = upsampleNearest2x(x);
      const sc = this.cSc ? this.cSc.apply(u) : u;
      const r = this.c2.apply(this.fuse2.apply(this.c1.apply(this.fuse1.apply(u, y)), y));
      return tf.add(sc, r) as tf.Tensor4D;
    });
  }
}

/** DF-GAN's channel plan (`get_G_in_out_chs`): nf·min(2^i, 8) for i < log2(size) − 1, reversed, as (in, out) pairs. */
export function fusionChannels(nf: number, size: number): Array<[number, number]> {
  const layers = Math.round(Math.log2(size)) - 1;
  const ch = Array.from({ length: layers }, (_, i) => nf * Math.min(2 ** i, 8)).reverse();
  return ch.slice(0, -1).map((c, i) => [c, ch[i + 1]!]);
}
