import * as tf from '@tensorflow/tfjs';
import { Module, Sequential } from '../nn/module.js';
import { ResBlock } from './res-block.js';
import { UpBlock } from './up-block.js';
import { type MaskMode, WordAttention } from './word-attention.js';

export interface AttentionStageOptions {
  /** ngf: channels of the hidden state in and out. */
  channels: number;
  wordDim?: number;
  /** R_NUM (2 birds, 3 COCO, 0 AttnDCGAN). */
  residualBlocks: number;
  maskMode?: MaskMode;
}

/**
 * `NEXT_STAGE_G(ngf, nef, ncf)` (§5.4): word attention → concat [h, context] → R × ResBlock(2·ngf) →
 * UpBlock(2·ngf → ngf). Keys `att.conv_context.weight`, `residual.<r>.block.*`, `upsample.{1,2}.*`.
 */
export class AttentionStage extends Module {
  readonly att: WordAttention;
  readonly residual: ResBlock[];
  readonly upsample: UpBlock;

  constructor(readonly opts: AttentionStageOptions) {
    super();
    const c = opts.channels;
    this.att = this.addModule('att', new WordAttention({ channels: c, wordDim: opts.wordDim, maskMode: opts.maskMode }));
    this.residual = Array.from({ length: opts.residualBlocks }, () => new ResBlock({ channels: 2 * c }));
    this.addModule('residual', new Sequential(Object.fromEntries(this.residual.map((r, i) => [String(i), r]))));
    this.upsample = this.addModule('upsample', new UpBlock({ inChannels: 2 * c, outChannels: c }));
  }

  /** h [B,H,W,C], words [B,T,wordDim], mask [B,T] → { h [B,2H,2W,C], attn [B,H,W,T] } */
  apply(h: tf.Tensor4D, words: tf.Tensor3D, mask: tf.Tensor2D | null, training: boolean): { h: tf.Tensor4D; attn: tf.Tensor4D } {
    return tf.tidy(() => {
      const { context, attn } = this.att.apply(h, words, mask);
      let x = tf.concat([h, context], -1) as tf.Tensor4D;
      for (const block of this.residual) x = block.apply(x, training);
      return { h: this.upsample.apply(x, training), attn };
    });
  }
}
