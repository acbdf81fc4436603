import * as tf from '@tensorflow/tfjs';
import { Conv2d } from '../nn/layers.js';
import { Module } from '../nn/module.js';

export type MaskMode = 'correct' | 'original_bug';

export interface WordAttentionOptions {
  /** Image feature channels (idf = ngf). */
  channels: number;
  /** Word feature size (cdf), 256 in AttnGAN. */
  wordDim?: number;
  /**
   * 'correct': each pixel of image b is masked with caption b's padding.
   * 'original_bug': reproduces `GlobalAttention.py:105-108` (`mask.repeat(queryL, 1)`): the score row
   * r = b·N + n gets the mask of caption r mod B. Only for parity with released weights at B > 1.
   */
  maskMode?: MaskMode;
}

export interface WordAttentionOutput {
  /** word context per pixel [B,H,W,channels] */
  context: tf.Tensor4D;
  /** attention over words per pixel [B,H,W,T] (sums to 1 over T) */
  attn: tf.Tensor4D;
}

/**
 * `GlobalAttentionGeneral(idf, cdf)` (§5.3). Key: `conv_context.weight` (1×1 conv, no bias),
 * stored [1,1,wordDim,channels].
 */
export class WordAttention extends Module {
  readonly conv_context: Conv2d;
  readonly channels: number;
  readonly wordDim: number;
  maskMode: MaskMode;

  constructor(readonly opts: WordAttentionOptions) {
    super();
    this.channels = opts.channels;
    this.wordDim = opts.wordDim ?? 256;
    this.maskMode = opts.maskMode ?? 'correct';
    this.conv_context = this.addModule(
      'conv_context',
      new Conv2d({ inChannels: this.wordDim, outChannels: this.channels, kernel: 1, padding: 'valid' }),
    );
  }

  /**
   * h [B,H,W,C], words [B,T,wordDim], mask [B,T] (nonzero/true = padding, like the original
   * `captions == 0`; null = no padding) → { context [B,H,W,C], attn [B,H,W,T] }.
   */
  apply(h: tf.Tensor4D, words: tf.Tensor3D, mask: tf.Tensor2D | null): WordAttentionOutput {
    const [b, hh, ww, c] = h.shape;
    const t = words.shape[1];
    const n = hh * ww;
    return tf.tidy(() => {
      // 1×1 conv over the words = one matMul with the [wordDim, C] kernel.
      const kernel = tf.reshape(this.conv_context.weight, [this.wordDim, c]) as tf.Tensor2D;
      const e = tf.reshape(tf.matMul(tf.reshape(words, [b * t, this.wordDim]), kernel), [b, t, c]) as tf.Tensor3D;
      const q = tf.reshape(h, [b, n, c]) as tf.Tensor3D;
      let scores = tf.matMul(q, e, false, true) as tf.Tensor3D; // [B,N,T]
      if (mask) {
        const pad = tf.cast(mask, 'bool');
        let rowMask: tf.Tensor; // broadcastable to [B,N,T]
        if (this.maskMode === 'correct' || b === 1) {
          rowMask = tf.reshape(pad, [b, 1, t]);
        } else {
          const rows = tf.mod(tf.range(0, b * n, 1, 'int32'), tf.scalar(b, 'int32'));
          rowMask = tf.reshape(tf.gather(pad, rows), [b, n, t]);
        }
        scores = tf.where(tf.broadcastTo(rowMask, [b, n, t]), tf.fill([b, n, t], -Infinity), scores);
      }
      const attn = tf.softmax(scores, -1); // over words, per pixel
      const context = tf.matMul(attn, e); // [B,N,C]
      return {
        context: tf.reshape(context, [b, hh, ww, c]) as tf.Tensor4D,
        attn: tf.reshape(attn, [b, hh, ww, t]) as tf.Tensor4D,
      };
    });
  }
}
