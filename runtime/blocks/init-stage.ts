import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Linear } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { glu } from './glu.js';
import { UpBlock } from './up-block.js';

export interface InitStageOptions {
  /** Channels of the 4×4 code: `ngf·16` (512 for birds gf_dim 32, 768 for COCO 48). Output has channels/16. */
  channels: number;
  zDim?: number;
  cDim?: number;
}

/**
 * `INIT_STAGE_G(ngf·16, ncf)` (§5.2): concat(c, z) (c first) → Linear(no bias) → BatchNorm1d → GLU →
 * 4×4 code → 4 UpBlocks halving the channels: [B,4,4,C] → [B,64,64,C/16].
 * Keys: `fc.0.weight` (Linear), `fc.1.*` (BN1d), (`fc.2` GLU), `upsample1..4.{1,2}.*`.
 *
 * Layout choice (§11.2): the Linear columns and BN1d vectors stay in **PyTorch order**, i.e. the
 * flat feature f = c·16 + y·4 + x of a (C,4,4) view. After the GLU we reshape to [B,C,4,4] and
 * transpose to NHWC. So a `.pth` importer only transposes `fc.0.weight` ([out,in] → [in,out]) and
 * copies `fc.1.*` as they are: no column permutation.
 */
export class InitStage extends Module {
  readonly linear: Linear;
  readonly bn: BatchNorm;
  readonly upsample: [UpBlock, UpBlock, UpBlock, UpBlock];
  readonly channels: number;
  readonly zDim: number;
  readonly cDim: number;

  constructor(readonly opts: InitStageOptions) {
    super();
    const c = opts.channels;
    if (c % 16 !== 0) throw new Error(`InitStage channels must be a multiple of 16, got ${c}`);
    this.channels = c;
    this.zDim = opts.zDim ?? 100;
    this.cDim = opts.cDim ?? 100;
    const features = c * 4 * 4 * 2;
    this.linear = new Linear({ inFeatures: this.cDim + this.zDim, outFeatures: features, bias: false });
    this.bn = new BatchNorm({ channels: features });
    this.addModule('fc', new Sequential({ 0: this.linear, 1: this.bn }));
    this.upsample = [
      this.addModule('upsample1', new UpBlock({ inChannels: c, outChannels: c / 2 })),
      this.addModule('upsample2', new UpBlock({ inChannels: c / 2, outChannels: c / 4 })),
      this.addModule('upsample3', new UpBlock({ inChannels: c / 4, outChannels: c / 8 })),
      this.addModule('upsample4', new UpBlock({ inChannels: c / 8, outChannels: c / 16 })),
    ];
  }

  /** The 4×4 code: c [B,cDim], z [B,zDim] → [B,4,4,channels]. */
  code(c: tf.Tensor2D, z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const x = glu(this.bn.apply(this.linear.apply(tf.concat([c, z], 1)), training)); // [B, C·16]
      return tf.transpose(tf.reshape(x, [-1, this.channels, 4, 4]), [0, 2, 3, 1]) as tf.Tensor4D;
    });
  }

  /** c [B,cDim], z [B,zDim] → h [B,64,64,channels/16] */
  apply(c: tf.Tensor2D, z: tf.Tensor2D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.code(c, z, training);
      for (const up of this.upsample) h = up.apply(h, training);
      return h;
    });
  }
}
