import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { Block3x3LeakRelu, DownBlock, EncodeImageBy16Times } from './conv-blocks.js';
import { CondLogits, UncondLogits } from './logits.js';

export interface DNetOptions {
  /** Input image size: a power of two ≥ 64 (64, 128, 256 in AttnGAN). */
  size: number;
  /** DF_DIM: 64 birds, 96 COCO. */
  ndf: number;
  /** Sentence embedding size, 256. */
  nef?: number;
  /** Conditional head `COND_DNET` (default true). */
  conditional?: boolean;
  /** Unconditional head `UNCOND_DNET` (b_jcu; default true, AttnDCGAN false). */
  unconditional?: boolean;
}

/**
 * `D_NET64/128/256` generalised to any power-of-two size S = 64·2^k: `img_code_s16` (S → S/16, 8ndf),
 * then k downBlocks doubling the channels (`img_code_s32`, `img_code_s64`, …) down to 4×4, then k
 * Block3x3_leakRelu halving them back to 8ndf (`img_code_s<last>_1`, `_2`, …). For k ≤ 2 the
 * names are exactly the original's. `apply` returns the 4×4×8ndf code; the heads are separate.
 */
export class DNet extends Module {
  readonly img_code_s16: EncodeImageBy16Times;
  readonly down: DownBlock[] = [];
  readonly reduce: Block3x3LeakRelu[] = [];
  readonly UNCOND_DNET: UncondLogits | null;
  readonly COND_DNET: CondLogits | null;
  readonly size: number;
  readonly ndf: number;

  constructor(readonly opts: DNetOptions) {
    super();
    const { size, ndf } = opts;
    const k = Math.log2(size / 64);
    if (!Number.isInteger(k) || k < 0) throw new Error(`DNet size must be 64·2^k, got ${size}`);
    this.size = size;
    this.ndf = ndf;
    this.img_code_s16 = this.addModule('img_code_s16', new EncodeImageBy16Times({ ndf }));
    for (let i = 0; i < k; i++) {
      const cin = 8 * ndf * 2 ** i;
      this.down.push(this.addModule(`img_code_s${32 * 2 ** i}`, new DownBlock({ inChannels: cin, outChannels: 2 * cin })));
    }
    const last = 16 * 2 ** k;
    for (let j = 1; j <= k; j++) {
      const cin = 8 * ndf * 2 ** (k - j + 1);
      this.reduce.push(this.addModule(`img_code_s${last}_${j}`, new Block3x3LeakRelu({ inChannels: cin, outChannels: cin / 2 })));
    }
    const nef = opts.nef ?? 256;
    this.UNCOND_DNET = opts.unconditional ?? true ? this.addModule('UNCOND_DNET', new UncondLogits({ ndf, nef })) : null;
    this.COND_DNET = opts.conditional ?? true ? this.addModule('COND_DNET', new CondLogits({ ndf, nef })) : null;
  }

  /** x [B,S,S,3] → code [B,4,4,8ndf] */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.img_code_s16.apply(x, training);
      for (const d of this.down) h = d.apply(h, training);
      for (const r of this.reduce) h = r.apply(h, training);
      return h;
    });
  }
}
