import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { BatchNorm, Conv2d } from '../nn/layers.js';
import { partMeans } from '../nn/part-means.js';
import { InceptionV3Trunk } from './inception.js';
import { ProjectionConv1x1, ProjectionLinear } from './heads.js';
import { untaped } from '../optim/tape.js';

/** What every image encoder returns; `regions` feed the DAMSM word loss, `global` the sentence loss. */
export type ImageEncoderOutput = {
  /** [B, h, w, nef] projected local features (17×17 for Inception at 299). */
  regions: tf.Tensor4D;
  /** [B, nef] projected global feature. */
  global: tf.Tensor2D;
};

export interface ImageEncoder extends Module {
  readonly nef: number;
  /** [h, w] of `regions`. */
  readonly regionGrid: [number, number];
  /** images [B,H,W,3] in [−1, 1]. */
  apply(images: tf.Tensor4D, training?: boolean, opts?: ImageEncoderApplyOptions): ImageEncoderOutput;
}

export interface ImageEncoderApplyOptions {
  /**
   * False when no gradient is wanted with respect to `images` (real images in DAMSM training).
   * A frozen trunk then runs off the gradient tape: nothing in it needs a gradient, and PyTorch's
   * autograd likewise records no op whose inputs need none. Default true (the generator's DAMSM
   * term differentiates through the trunk into its images).
   */
  inputGradient?: boolean;
}

export interface InceptionImageEncoderOptions {
  /** Projection size; 256 (= EMBEDDING_DIM). */
  nef?: number;
  /**
   * Default true, as the original (`image_encoder.freeze_trunk`): no optimizer touches the trunk.
   * False fine-tunes it with the projections in the DAMSM phase.
   */
  freezeTrunk?: boolean;
  /**
   * Run the trunk's BatchNorm on batch statistics (and drift its running stats) when
   * `apply(…, training=true)`, as the original DAMSM pretraining does with the encoder in train().
   * Default: false for a frozen trunk (it always uses its running stats), true for a trainable one.
   */
  trunkBatchNormFollowsTraining?: boolean;
}

/**
 * AttnGAN's `CNN_ENCODER` (docs/original.md §3): frozen (by default) Inception-v3 trunk + trainable `emb_features`
 * (1×1 conv 768→nef on Mixed_6e) and `emb_cnn_code` (Linear 2048→nef on pooled Mixed_7c).
 * Input is resized to 299×299 bilinearly with align-corners semantics (PyTorch 0.3 `nn.Upsample`),
 * with no further normalisation. Gradients flow through the frozen trunk into the input (the
 * generator's DAMSM term needs that); a frozen trunk's own variables are not trainable.
 */
export class InceptionImageEncoder extends InceptionV3Trunk implements ImageEncoder {
  readonly nef: number;
  readonly regionGrid: [number, number] = [17, 17];
  readonly emb_features: ProjectionConv1x1;
  readonly emb_cnn_code: ProjectionLinear;
  private readonly trunkBnFollows: boolean;

  constructor(opts: InceptionImageEncoderOptions = {}) {
    super();
    this.nef = opts.nef ?? 256;
    const frozen = opts.freezeTrunk ?? true;
    this.trunkBnFollows = opts.trunkBatchNormFollowsTraining ?? !frozen;
    if (frozen) this.freeze(); // the trunk; the heads below stay trainable
    this.emb_features = this.addModule('emb_features', new ProjectionConv1x1(768, this.nef));
    this.emb_cnn_code = this.addModule('emb_cnn_code', new ProjectionLinear(2048, this.nef));
  }

  apply(images: tf.Tensor4D, training = false, opts: ImageEncoderApplyOptions = {}): ImageEncoderOutput {
    return tf.tidy(() => {
      const x = images.shape[1] === 299 && images.shape[2] === 299 ? images : tf.image.resizeBilinear(images, [299, 299], true);
      const bn = training && this.trunkBnFollows;
      if (opts.inputGradient === false && this.trunkFrozen()) {
        // Off the tape, the trunk saves no activations for a backward pass that never reaches it
        // (DAMSM step, batch 16: peak RSS 3.8 → see bench/README.md "Speed and memory").
        const f = untaped(() => this.trunk(x, bn));
        try {
          return { regions: this.emb_features.apply(f.mixed6e), global: this.emb_cnn_code.apply(f.pooled) };
        } finally {
          tf.dispose([f.mixed6e, f.pooled]);
        }
      }
      const f = this.trunk(x, bn);
      return { regions: this.emb_features.apply(f.mixed6e), global: this.emb_cnn_code.apply(f.pooled) };
    });
  }

  /** Whether no trunk parameter is trainable (checked per call: `unfreeze()` may change it). */
  private trunkFrozen(): boolean {
    for (const [name, v] of this.namedParameters()) if (!name.startsWith('emb_') && v.trainable) return false;
    return true;
  }
}

export interface CnnImageEncoderOptions {
  /** Images are resized (bilinear, align corners) to inputSize×inputSize first if needed. */
  inputSize: number;
  nef: number;
  /** Output channels of the stride-2 blocks down to the region grid, e.g. [32, 64, 128]: 64 → 8×8. */
  channels: number[];
  /** Channels of the extra stride-2 block whose pooled output is the global feature; default 2× the last. */
  globalChannels?: number;
  /**
   * How the global feature is made: `avg` or `max` of the global block's map over space (max: a small
   * part such as a crown is not averaged away); or `parts`, which needs `parts`: no global block —
   * the projected region features are averaged once per part, weighted by the part head's softmax,
   * and `emb_cnn_code` reads the parts' averages side by side (parts × nef → nef), so the global
   * feature says what is *on* each part, not what is anywhere in the picture. Default avg.
   */
  pooling?: 'avg' | 'max' | 'parts';
  /**
   * Channels of a 3×3 stride-1 conv → BN → LeakyReLU block (`stem`) at full resolution before the
   * stride-2 blocks, or 0 for none (default): its features see single-pixel detail before the first
   * downsampling.
   */
  stem?: number;
  /**
   * With n > 0, a `part_head` (1×1 conv with bias, nef → n) that reads which of n parts each region
   * shows from the projected region features (`partLogits`), for the DAMSM phase's part loss
   * (`image_encoder.part_loss`; n = the synthetic birds' `PARTS.length`). Default 0: none.
   */
  parts?: number;
}

/** Conv 4×4 stride 2 (pad 1, no bias) → BN → LeakyReLU(0.2): `conv.weight`, `bn.*`; 3×3 stride 1 for the stem. */
class DownBlock extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm;
  constructor(inC: number, outC: number, stride: 1 | 2 = 2) {
    super();
    this.conv = this.addModule('conv', new Conv2d({ inChannels: inC, outChannels: outC, kernel: stride === 2 ? 4 : 3, stride, padding: 1 }));
    this.bn = this.addModule('bn', new BatchNorm({ channels: outC }));
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.leakyRelu(this.bn.apply(this.conv.apply(x), training), 0.2));
  }
}

/**
 * A small image encoder trained from scratch (for synthetic data, where an ImageNet Inception
 * does not apply and is too slow): stride-2 blocks `blocks.0…n−1` down to the region grid
 * (inputSize / 2ⁿ), one more block `global_block` pooled over space for the global feature (or, with
 * `pooling: 'parts'`, the regions pooled per part instead), the same `emb_features` / `emb_cnn_code`
 * projections and output contract as the Inception encoder, and optionally a `part_head`.
 * Everything is trainable; BatchNorm uses batch statistics when `training`.
 */
export class CnnImageEncoder extends Module implements ImageEncoder {
  readonly nef: number;
  readonly inputSize: number;
  readonly regionGrid: [number, number];
  private readonly stem: DownBlock | null;
  private readonly blocks: DownBlock[];
  private readonly globalBlock: DownBlock | null;
  private readonly pooling: 'avg' | 'max' | 'parts';
  readonly emb_features: ProjectionConv1x1;
  readonly emb_cnn_code: ProjectionLinear;
  readonly part_head: Conv2d | null;

  constructor(opts: CnnImageEncoderOptions) {
    super();
    if (opts.channels.length === 0) throw new Error('CnnImageEncoder needs at least one block');
    const grid = opts.inputSize / 2 ** opts.channels.length;
    if (!Number.isInteger(grid) || grid < 2) {
      throw new Error(`CnnImageEncoder: inputSize ${opts.inputSize} / 2^${opts.channels.length} is not an integer ≥ 2`);
    }
    this.nef = opts.nef;
    this.inputSize = opts.inputSize;
    this.regionGrid = [grid, grid];
    this.pooling = opts.pooling ?? 'avg';
    let c = 3;
    this.stem = opts.stem ? this.addModule('stem', new DownBlock(c, opts.stem, 1)) : null;
    if (opts.stem) c = opts.stem;
    const holder = this.addModule('blocks', new BlockList());
    this.blocks = opts.channels.map((out, i) => {
      const b = holder.add(String(i), new DownBlock(c, out));
      c = out;
      return b;
    });
    if (this.pooling === 'parts' && !opts.parts) throw new Error("CnnImageEncoder: pooling 'parts' needs a part head (parts > 0)");
    const gc = opts.globalChannels ?? 2 * c;
    this.globalBlock = this.pooling === 'parts' ? null : this.addModule('global_block', new DownBlock(c, gc));
    this.emb_features = this.addModule('emb_features', new ProjectionConv1x1(c, this.nef));
    this.emb_cnn_code = this.addModule('emb_cnn_code', new ProjectionLinear(this.pooling === 'parts' ? opts.parts! * this.nef : gc, this.nef));
    this.part_head = opts.parts ? this.addModule('part_head', new Conv2d({ inChannels: this.nef, outChannels: opts.parts, kernel: 1, padding: 'valid', bias: true })) : null;
  }

  /** regions [B, h, w, nef] (this encoder's `apply(…).regions`) → part logits [B, h, w, parts]. */
  partLogits(regions: tf.Tensor4D): tf.Tensor4D {
    if (!this.part_head) throw new Error('CnnImageEncoder.partLogits: this encoder has no part head (parts: 0)');
    return this.part_head.apply(regions);
  }

  /** `_opts` is accepted for the `ImageEncoder` interface: this encoder's blocks train with it in DAMSM. */
  apply(images: tf.Tensor4D, training = false, _opts: ImageEncoderApplyOptions = {}): ImageEncoderOutput {
    return tf.tidy(() => {
      const s = this.inputSize;
      let h = images.shape[1] === s && images.shape[2] === s ? images : tf.image.resizeBilinear(images, [s, s], true);
      if (this.stem) h = this.stem.apply(h, training);
      for (const b of this.blocks) h = b.apply(h, training);
      const regions = this.emb_features.apply(h);
      if (!this.globalBlock) return { regions, global: this.emb_cnn_code.apply(partPooled(regions, this.partLogits(regions))) };
      const top = this.globalBlock.apply(h, training);
      const g = (this.pooling === 'max' ? tf.max(top, [1, 2]) : tf.mean(top, [1, 2])) as tf.Tensor2D;
      return { regions, global: this.emb_cnn_code.apply(g) };
    });
  }
}

/** regions [B, h, w, D], part logits [B, h, w, K] → [B, K·D]: `partMeans` under the softmax, the parts side by side. */
export function partPooled(regions: tf.Tensor4D, logits: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, , , D] = regions.shape;
    return tf.reshape(partMeans(regions, tf.softmax(logits)), [B, logits.shape[3] * D]) as tf.Tensor2D;
  });
}

/** Children named by index (`blocks.0`, `blocks.1`, …). */
class BlockList extends Module {
  add<M extends Module>(name: string, m: M): M {
    return this.addModule(name, m);
  }
}
