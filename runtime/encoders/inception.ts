import * as tf from '@tensorflow/tfjs';
import { isTaping } from '../backend/tfjs-internals.js';
import { Module } from '../nn/module.js';
import { BatchNorm, Conv2d } from '../nn/layers.js';

/**
 * torchvision's Inception-v3 trunk (the part AttnGAN's `CNN_ENCODER` keeps, docs/original.md §3 / §9),
 * NHWC, with torchvision's module names so a state_dict maps 1:1 (conv weight [O,I,kh,kw] →
 * [kh,kw,I,O], BN tensors as is).
 *
 * Equivalences used: PyTorch padding p on a stride-1 conv with odd kernel k = 2p+1 (including the
 * (1,7)/(0,3) and (3,1)/(1,0) factorised ones) ⇔ TF 'same'; unpadded convs and the stem/stride-2
 * pools ⇔ 'valid'. `avg_pool2d(3, 1, padding=1)` counts the padded zeros (count_include_pad=True),
 * which TF 'same' pooling does not, so it is an explicit zero pad + 'valid' pool.
 */

type Kernel = number | [number, number];

/** Conv (no bias) → BatchNorm(eps 1e-3) → ReLU, names `conv.weight`, `bn.*`. */
export class BasicConv2d extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;
  constructor(inC: number, outC: number, kernel: Kernel, opts: { stride?: number; pad?: boolean } = {}) {
    super();
    this.conv = this.addModule(
      'conv',
      new Conv2d({ inChannels: inC, outChannels: outC, kernel, stride: opts.stride ?? 1, padding: opts.pad ? 'same' : 'valid', bias: false }),
    );
    this.bn = this.addModule('bn', new BatchNorm({ channels: outC, eps: 1e-3 }));
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (training || !basicConvOptions.foldBatchNorm) {
      return tf.tidy(() => tf.relu(this.bn.apply(this.conv.apply(x), training)));
    }
    // Eval: fold BN into the conv, w' = w·γ/√(var+ε), b' = β − mean·γ/√(var+ε) (recomputed per call,
    // so loaded weights are always current). Without a gradient tape one fused conv+bias+ReLU op;
    // under a tape conv + add + relu, because the fused op's gradient also computes the (frozen)
    // filter gradient.
    return tf.tidy(() => {
      const bn = this.bn;
      const scale = tf.mul(bn.weight, tf.rsqrt(tf.add(bn.runningVar, bn.eps)));
      const filter = tf.mul(this.conv.weight, scale) as tf.Tensor4D;
      const bias = tf.sub(bn.bias, tf.mul(bn.runningMean, scale)) as tf.Tensor1D;
      const pad = this.conv.padding as 'same' | 'valid';
      const strides: [number, number] = [this.conv.stride, this.conv.stride];
      if (!isTaping()) {
        return tf.fused.conv2d({ x, filter, strides, pad, bias, activation: 'relu' });
      }
      return tf.relu(tf.add(tf.conv2d(x, filter, strides, pad), bias));
    });
  }
}

/** Switch for the eval-mode BN folding (the bench compares both). */
export const basicConvOptions = { foldBatchNorm: true };

/** avg_pool2d(kernel 3, stride 1, padding 1, count_include_pad=True). */
function avgPool3x3CountPad(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 1, 'valid');
}

function maxPool3x3s2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 3, 2, 'valid');
}

abstract class Block extends Module {
  abstract apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  protected conv(name: string, inC: number, outC: number, kernel: Kernel, opts: { stride?: number; pad?: boolean } = {}): BasicConv2d {
    return this.addModule(name, new BasicConv2d(inC, outC, kernel, opts));
  }
}

export class InceptionA extends Block {
  private readonly b1: BasicConv2d;
  private readonly b5: BasicConv2d[];
  private readonly b3: BasicConv2d[];
  private readonly bp: BasicConv2d;
  constructor(inC: number, poolFeatures: number) {
    super();
    this.b1 = this.conv('branch1x1', inC, 64, 1);
    this.b5 = [this.conv('branch5x5_1', inC, 48, 1), this.conv('branch5x5_2', 48, 64, 5, { pad: true })];
    this.b3 = [
      this.conv('branch3x3dbl_1', inC, 64, 1),
      this.conv('branch3x3dbl_2', 64, 96, 3, { pad: true }),
      this.conv('branch3x3dbl_3', 96, 96, 3, { pad: true }),
    ];
    this.bp = this.conv('branch_pool', inC, poolFeatures, 1);
  }
  apply(x: tf.Tensor4D, t: boolean): tf.Tensor4D {
    return tf.tidy(() =>
      tf.concat(
        [this.b1.apply(x, t), chain(this.b5, x, t), chain(this.b3, x, t), this.bp.apply(avgPool3x3CountPad(x), t)],
        3,
      ),
    );
  }
}

export class InceptionB extends Block {
  private readonly b3: BasicConv2d;
  private readonly bd: BasicConv2d[];
  constructor(inC: number) {
    super();
    this.b3 = this.conv('branch3x3', inC, 384, 3, { stride: 2 });
    this.bd = [
      this.conv('branch3x3dbl_1', inC, 64, 1),
      this.conv('branch3x3dbl_2', 64, 96, 3, { pad: true }),
      this.conv('branch3x3dbl_3', 96, 96, 3, { stride: 2 }),
    ];
  }
  apply(x: tf.Tensor4D, t: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.concat([this.b3.apply(x, t), chain(this.bd, x, t), maxPool3x3s2(x)], 3));
  }
}

export class InceptionC extends Block {
  private readonly b1: BasicConv2d;
  private readonly b7: BasicConv2d[];
  private readonly bd: BasicConv2d[];
  private readonly bp: BasicConv2d;
  constructor(inC: number, c7: number) {
    super();
    const p = { pad: true };
    this.b1 = this.conv('branch1x1', inC, 192, 1);
    this.b7 = [
      this.conv('branch7x7_1', inC, c7, 1),
      this.conv('branch7x7_2', c7, c7, [1, 7], p),
      this.conv('branch7x7_3', c7, 192, [7, 1], p),
    ];
    this.bd = [
      this.conv('branch7x7dbl_1', inC, c7, 1),
      this.conv('branch7x7dbl_2', c7, c7, [7, 1], p),
      this.conv('branch7x7dbl_3', c7, c7, [1, 7], p),
      this.conv('branch7x7dbl_4', c7, c7, [7, 1], p),
      this.conv('branch7x7dbl_5', c7, 192, [1, 7], p),
    ];
    this.bp = this.conv('branch_pool', inC, 192, 1);
  }
  apply(x: tf.Tensor4D, t: boolean): tf.Tensor4D {
    return tf.tidy(() =>
      tf.concat(
        [this.b1.apply(x, t), chain(this.b7, x, t), chain(this.bd, x, t), this.bp.apply(avgPool3x3CountPad(x), t)],
        3,
      ),
    );
  }
}

export class InceptionD extends Block {
  private readonly b3: BasicConv2d[];
  private readonly b7: BasicConv2d[];
  constructor(inC: number) {
    super();
    this.b3 = [this.conv('branch3x3_1', inC, 192, 1), this.conv('branch3x3_2', 192, 320, 3, { stride: 2 })];
    this.b7 = [
      this.conv('branch7x7x3_1', inC, 192, 1),
      this.conv('branch7x7x3_2', 192, 192, [1, 7], { pad: true }),
      this.conv('branch7x7x3_3', 192, 192, [7, 1], { pad: true }),
      this.conv('branch7x7x3_4', 192, 192, 3, { stride: 2 }),
    ];
  }
  apply(x: tf.Tensor4D, t: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.concat([chain(this.b3, x, t), chain(this.b7, x, t), maxPool3x3s2(x)], 3));
  }
}

export class InceptionE extends Block {
  private readonly b1: BasicConv2d;
  private readonly b3: BasicConv2d;
  private readonly b3a: BasicConv2d;
  private readonly b3b: BasicConv2d;
  private readonly bd: BasicConv2d[];
  private readonly bda: BasicConv2d;
  private readonly bdb: BasicConv2d;
  private readonly bp: BasicConv2d;
  constructor(inC: number) {
    super();
    const p = { pad: true };
    this.b1 = this.conv('branch1x1', inC, 320, 1);
    this.b3 = this.conv('branch3x3_1', inC, 384, 1);
    this.b3a = this.conv('branch3x3_2a', 384, 384, [1, 3], p);
    this.b3b = this.conv('branch3x3_2b', 384, 384, [3, 1], p);
    this.bd = [this.conv('branch3x3dbl_1', inC, 448, 1), this.conv('branch3x3dbl_2', 448, 384, 3, p)];
    this.bda = this.conv('branch3x3dbl_3a', 384, 384, [1, 3], p);
    this.bdb = this.conv('branch3x3dbl_3b', 384, 384, [3, 1], p);
    this.bp = this.conv('branch_pool', inC, 192, 1);
  }
  apply(x: tf.Tensor4D, t: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const b3 = this.b3.apply(x, t);
      const bd = chain(this.bd, x, t);
      return tf.concat(
        [
          this.b1.apply(x, t),
          this.b3a.apply(b3, t),
          this.b3b.apply(b3, t),
          this.bda.apply(bd, t),
          this.bdb.apply(bd, t),
          this.bp.apply(avgPool3x3CountPad(x), t),
        ],
        3,
      );
    });
  }
}

function chain(convs: BasicConv2d[], x: tf.Tensor4D, t: boolean): tf.Tensor4D {
  return tf.tidy(() => convs.reduce((h, c) => c.apply(h, t), x));
}

export interface InceptionFeatures {
  /** Mixed_6e output [B, 17, 17, 768] at 299 input (the DAMSM local features). */
  mixed6e: tf.Tensor4D;
  /** Mixed_7c output averaged over space [B, 2048] (the global feature). */
  pooled: tf.Tensor2D;
}

/**
 * The trunk's 16 blocks registered at this module's root (torchvision names). Subclasses add
 * heads next to them, as `CNN_ENCODER` does. Works for any input ≥ 75×75 (299 in AttnGAN).
 */
export class InceptionV3Trunk extends Module {
  private readonly stem: BasicConv2d[];
  private readonly mixed5: Block[];
  private readonly mixed6: Block[];
  private readonly mixed7: Block[];

  constructor() {
    super();
    const c = (name: string, ...a: ConstructorParameters<typeof BasicConv2d>) => this.addModule(name, new BasicConv2d(...a));
    this.stem = [
      c('Conv2d_1a_3x3', 3, 32, 3, { stride: 2 }),
      c('Conv2d_2a_3x3', 32, 32, 3),
      c('Conv2d_2b_3x3', 32, 64, 3, { pad: true }),
      c('Conv2d_3b_1x1', 64, 80, 1),
      c('Conv2d_4a_3x3', 80, 192, 3),
    ];
    this.mixed5 = [
      this.addModule('Mixed_5b', new InceptionA(192, 32)),
      this.addModule('Mixed_5c', new InceptionA(256, 64)),
      this.addModule('Mixed_5d', new InceptionA(288, 64)),
    ];
    this.mixed6 = [
      this.addModule('Mixed_6a', new InceptionB(288)),
      this.addModule('Mixed_6b', new InceptionC(768, 128)),
      this.addModule('Mixed_6c', new InceptionC(768, 160)),
      this.addModule('Mixed_6d', new InceptionC(768, 160)),
      this.addModule('Mixed_6e', new InceptionC(768, 192)),
    ];
    this.mixed7 = [
      this.addModule('Mixed_7a', new InceptionD(768)),
      this.addModule('Mixed_7b', new InceptionE(1280)),
      this.addModule('Mixed_7c', new InceptionE(2048)),
    ];
  }

  /** x [B,H,W,3] (already resized and scaled) → Mixed_6e and pooled Mixed_7c. `training` = BN batch stats. */
  trunk(x: tf.Tensor4D, training = false): InceptionFeatures {
    return tf.tidy(() => {
      const [c1a, c2a, c2b, c3b, c4a] = this.stem as [BasicConv2d, BasicConv2d, BasicConv2d, BasicConv2d, BasicConv2d];
      let h = c2b.apply(c2a.apply(c1a.apply(x, training), training), training);
      h = maxPool3x3s2(h);
      h = maxPool3x3s2(c4a.apply(c3b.apply(h, training), training));
      for (const b of [...this.mixed5, ...this.mixed6]) h = b.apply(h, training);
      const mixed6e = h;
      for (const b of this.mixed7) h = b.apply(h, training);
      // F.avg_pool2d(x, kernel_size=8) on the 8×8 map = the spatial mean (for 299 input).
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      return { mixed6e, pooled };
    });
  }
}
