import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { Block3x3LeakRelu } from './conv-blocks.js';

export interface LogitsOptions {
  ndf: number;
  /** Sentence embedding size (nef), 256. Only the conditional head uses it. */
  nef?: number;
  /** DM-GAN: `jointConv` spectrally normalised with a bias, no BatchNorm (the outlogits conv stays plain). */
  spectralNorm?: boolean;
}

/** conv(8ndf → 1, 4×4, stride 4, with bias) on the 4×4 code → [B] (pre-sigmoid). Key `outlogits.0.*`. */
function outConv(ndf: number): Conv2d {
  return new Conv2d({ inChannels: 8 * ndf, outChannels: 1, kernel: 4, stride: 4, padding: 'valid', bias: true });
}

function toVector(x: tf.Tensor4D): tf.Tensor1D {
  return tf.reshape(x, [-1]) as tf.Tensor1D;
}

/**
 * `D_GET_LOGITS(ndf, nef, bcondition=False)`: `UNCOND_DNET`. code [B,4,4,8ndf] → probability [B].
 */
export class UncondLogits extends Module {
  readonly conv: Conv2d;

  constructor(readonly opts: LogitsOptions) {
    super();
    this.conv = outConv(opts.ndf);
    this.addModule('outlogits', new Sequential({ 0: this.conv }));
  }

  /** Pre-sigmoid score [B]. */
  logits(code: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => toVector(this.conv.apply(code)));
  }

  /** sigmoid(logits): what the original returns and its BCE losses consume. */
  apply(code: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(code)));
  }
}

/**
 * `D_GET_LOGITS(ndf, nef, bcondition=True)`: `COND_DNET`. The raw sentence embedding [B,nef] is
 * tiled to 4×4 and concatenated after the image code → Block3x3_leakRelu(8ndf+nef → 8ndf) → outlogits.
 * Keys `jointConv.0.weight`, `jointConv.1.*`, `outlogits.0.{weight,bias}` (DM-GAN: `jointConv.0.module.*`).
 */
export class CondLogits extends Module {
  readonly jointConv: Block3x3LeakRelu;
  readonly conv: Conv2d;
  readonly nef: number;

  constructor(readonly opts: LogitsOptions) {
    super();
    this.nef = opts.nef ?? 256;
    this.jointConv = this.addModule(
      'jointConv',
      new Block3x3LeakRelu({ inChannels: 8 * opts.ndf + this.nef, outChannels: 8 * opts.ndf, spectralNorm: opts.spectralNorm ?? false }),
    );
    this.conv = outConv(opts.ndf);
    this.addModule('outlogits', new Sequential({ 0: this.conv }));
  }

  /** code [B,4,4,8ndf], sent [B,nef] → pre-sigmoid score [B]. */
  logits(code: tf.Tensor4D, sent: tf.Tensor2D, training: boolean): tf.Tensor1D {
    return tf.tidy(() => {
      const [b, h, w] = code.shape;
      const tiled = tf.tile(tf.reshape(sent, [b, 1, 1, this.nef]), [1, h, w, 1]);
      const joint = this.jointConv.apply(tf.concat([code, tiled], -1) as tf.Tensor4D, training);
      return toVector(this.conv.apply(joint));
    });
  }

  apply(code: tf.Tensor4D, sent: tf.Tensor2D, training: boolean): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(code, sent, training)));
  }
}
