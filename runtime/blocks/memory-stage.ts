import * as tf from '@tensorflow/tfjs';
import { Conv1d, Conv2d, Linear } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { detach } from '../nn/detach.js';
import { ResBlock } from './res-block.js';
import { UpBlock } from './up-block.js';
import type { MaskMode } from './word-attention.js';

export interface MemoryStageOptions {
  /** ngf: channels of the hidden state in and out. */
  channels: number;
  /** Word feature size (nef), 256 in DM-GAN. */
  wordDim: number;
  /** R_NUM residual blocks on the 2·ngf map. */
  residualBlocks: number;
  /**
   * The word-padding mask of the memory reading. DM-GAN's `Memory.forward` tiles the mask as
   * AttnGAN's attention does (`mask.repeat(queryL, 1)`): `original_bug` reproduces it (parity with
   * the released weights at B > 1), `correct` masks each image with its own caption.
   */
  maskMode?: MaskMode;
}

export interface MemoryStageOutput {
  h: tf.Tensor4D;
  /** reading weights over the words per pixel [B,H,W,T] (sum to 1 over T) */
  attn: tf.Tensor4D;
}

/**
 * DM-GAN's refinement stage (`NEXT_STAGE_G` of MinfengZhu/DM-GAN `code/model.py`):
 * 1. memory writing: each word's memory slot mixes the word (`M_w`) and the image's mean feature
 *    (`M_r`, detached) by a writing gate σ(A·word + B·mean);
 * 2. key addressing and value reading: per pixel, a softmax over the words of ⟨pixel, key(slot)⟩
 *    (padding masked) weighs value(slot);
 * 3. response gate: σ(conv1x1([h, read])) blends the reading into h;
 * 4. [h', h'] → R × ResBlock(2·ngf) → upBlock(2·ngf → ngf).
 * Keys: `A`, `B` (Linear, no bias), `M_r.0`, `M_w.0`, `key.0`, `value.0` (Conv1d k=1),
 * `response_gate.0` (Conv2d 1×1 with bias), `residual.<r>.block.*`, `upsample.{1,2}.*`.
 */
export class MemoryStage extends Module {
  readonly A: Linear;
  readonly B: Linear;
  readonly mR: Conv1d;
  readonly mW: Conv1d;
  readonly key: Conv1d;
  readonly value: Conv1d;
  readonly gate: Conv2d;
  readonly residual: ResBlock[];
  readonly upsample: UpBlock;
  maskMode: MaskMode;

  constructor(readonly opts: MemoryStageOptions) {
    super();
    const c = opts.channels;
    this.maskMode = opts.maskMode ?? 'original_bug';
    this.A = this.addModule('A', new Linear({ inFeatures: opts.wordDim, outFeatures: 1, bias: false }));
    this.B = this.addModule('B', new Linear({ inFeatures: c, outFeatures: 1, bias: false }));
    this.mR = new Conv1d({ inChannels: c, outChannels: 2 * c });
    this.addModule('M_r', new Sequential({ 0: this.mR }));
    this.mW = new Conv1d({ inChannels: opts.wordDim, outChannels: 2 * c });
    this.addModule('M_w', new Sequential({ 0: this.mW }));
    this.key = new Conv1d({ inChannels: 2 * c, outChannels: c });
    this.addModule('key', new Sequential({ 0: this.key }));
    this.value = new Conv1d({ inChannels: 2 * c, outChannels: c });
    this.addModule('value', new Sequential({ 0: this.value }));
    this.gate = new Conv2d({ inChannels: 2 * c, outChannels: 1, kernel: 1, padding: 'valid', bias: true });
    this.addModule('response_gate', new Sequential({ 0: this.gate }));
    this.residual = Array.from({ length: opts.residualBlocks }, () => new ResBlock({ channels: 2 * c }));
    this.addModule('residual', new Sequential(Object.fromEntries(this.residual.map((r, i) => [String(i), r]))));
    this.upsample = this.addModule('upsample', new UpBlock({ inChannels: 2 * c, outChannels: c }));
  }

  /** h [B,H,W,C], words [B,T,wordDim], mask [B,T] (true/nonzero = padding; null = none) → { h [B,2H,2W,C], attn [B,H,W,T] } */
  apply(h: tf.Tensor4D, words: tf.Tensor3D, mask: tf.Tensor2D | null, training: boolean): MemoryStageOutput {
    const [b, hh, ww, c] = h.shape;
    const t = words.shape[1];
    const n = hh * ww;
    return tf.tidy(() => {
      const avg = detach(tf.mean(h, [1, 2]) as tf.Tensor2D); // [B,C], AvgPool over the whole map, detached
      const gate1 = tf.reshape(this.A.apply(tf.reshape(words, [b * t, this.opts.wordDim]) as tf.Tensor2D), [b, t, 1]);
      const gate2 = tf.reshape(this.B.apply(avg), [b, 1, 1]);
      const writing = tf.sigmoid(tf.add(gate1, gate2)); // [B,T,1]
      const fromWords = tf.relu(this.mW.apply(words)); // [B,T,2C]
      const fromImage = tf.relu(this.mR.apply(tf.reshape(avg, [b, 1, c]) as tf.Tensor3D)); // [B,1,2C], the same for every word
      const memory = tf.add(tf.mul(fromWords, writing), tf.mul(fromImage, tf.sub(1, writing))) as tf.Tensor3D;
      const key = tf.relu(this.key.apply(memory)) as tf.Tensor3D; // [B,T,C]
      const value = tf.relu(this.value.apply(memory)) as tf.Tensor3D;
      const q = tf.reshape(h, [b, n, c]) as tf.Tensor3D;
      let scores = tf.matMul(q, key, false, true) as tf.Tensor3D; // [B,N,T]
      if (mask) {
        const pad = tf.cast(mask, 'bool');
        let rowMask: tf.Tensor;
        if (this.maskMode === 'correct' || b === 1) rowMask = tf.reshape(pad, [b, 1, t]);
        else rowMask = tf.reshape(tf.gather(pad, tf.mod(tf.range(0, b * n, 1, 'int32'), tf.scalar(b, 'int32'))), [b, n, t]);
        scores = tf.where(tf.broadcastTo(rowMask, [b, n, t]), tf.fill([b, n, t], -Infinity), scores);
      }
      const attn = tf.softmax(scores, -1);
      const read = tf.reshape(tf.matMul(attn, value), [b, hh, ww, c]) as tf.Tensor4D;
      const response = tf.sigmoid(this.gate.apply(tf.concat([h, read], -1) as tf.Tensor4D)); // [B,H,W,1]
      const blended = tf.add(tf.mul(h, tf.sub(1, response)), tf.mul(response, read));
      let x = tf.concat([blended, blended], -1) as tf.Tensor4D;
      for (const block of this.residual) x = block.apply(x, training);
      return { h: this.upsample.apply(x, training), attn: tf.reshape(attn, [b, hh, ww, t]) as tf.Tensor4D };
    });
  }
}
