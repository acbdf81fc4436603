import * as tf from '@tensorflow/tfjs';
import { batchGroupCount, convolve, type Conv2dOptions } from './layers.js';
import { Module, type InitRole } from './module.js';

/** `l2normalize`'s epsilon in DM-GAN's `code/spectral.py`: v / (‖v‖ + eps). */
const EPS = 1e-12;

function l2normalize<T extends tf.Tensor>(v: T): T {
  return tf.div(v, tf.add(tf.norm(v), EPS));
}

export interface SpectralConv2dOptions extends Conv2dOptions {
  /** Power iterations per forward (`power_iterations`, 1 in DM-GAN). */
  powerIterations?: number;
}

/**
 * The `nn.Conv2d` inside DM-GAN's `SpectralNorm` after `_make_params`: its `weight` replaced by
 * `weight_bar` (the trainable kernel) and the power-iteration vectors `weight_u` [out] and
 * `weight_v` [in·kh·kw], both `Parameter(requires_grad=False)` — counted by `parameters()`, stored in
 * the state_dict, never optimised. state_dict order as PyTorch's: `bias`, `weight_u`, `weight_v`,
 * `weight_bar`. `weight_v` keeps PyTorch's flattening order (in, kh, kw), so files load as they are.
 *
 * Every forward, in training and in eval alike (the official module has no mode switch), runs the
 * power iteration on the detached kernel (v ← l2n(Wᵀu), u ← l2n(Wv), W = weight_bar as [out, in·kh·kw])
 * and stores u and v, then convolves with weight_bar / σ where σ = u·(W v) carries the gradient to
 * weight_bar (u, v do not).
 */
export class SpectralConv2d extends Module {
  override readonly initRole: InitRole = 'conv';
  readonly bias: tf.Variable | null;
  readonly weightU: tf.Variable;
  readonly weightV: tf.Variable;
  readonly weightBar: tf.Variable;
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly padding: 'same' | 'valid' | number;
  readonly powerIterations: number;

  constructor(readonly opts: SpectralConv2dOptions) {
    super();
    [this.kh, this.kw] = typeof opts.kernel === 'number' ? [opts.kernel, opts.kernel] : opts.kernel;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 'same';
    this.powerIterations = opts.powerIterations ?? 1;
    const fanIn = opts.inChannels * this.kh * this.kw;
    this.bias = opts.bias ? this.addParam('bias', [opts.outChannels], { kind: 'torch_default_conv', fanIn }) : null;
    this.weightU = this.addFixedParam('weight_u', [opts.outChannels], { kind: 'unit_normal' });
    this.weightV = this.addFixedParam('weight_v', [fanIn], { kind: 'unit_normal' });
    this.weightBar = this.addParam('weight_bar', [this.kh, this.kw, opts.inChannels, opts.outChannels], { kind: 'torch_default_conv' }, 'conv');
  }

  /** `weight_v` (PyTorch order in, kh, kw) ↔ the TF flattening of the kernel (kh, kw, in), as [K, 1]. */
  private vToTf(v: tf.Tensor): tf.Tensor2D {
    const c = this.opts.inChannels;
    return tf.reshape(tf.transpose(tf.reshape(v, [c, this.kh, this.kw]), [1, 2, 0]), [-1, 1]);
  }

  private vToTorch(v: tf.Tensor): tf.Tensor1D {
    const c = this.opts.inChannels;
    return tf.reshape(tf.transpose(tf.reshape(v, [this.kh, this.kw, c]), [2, 0, 1]), [-1]);
  }

  /**
   * `steps` successive `_update_u_v` calls: stores the last u, v and returns each call's σ = u·(W v).
   * One step per forward call of the original; `steps` > 1 when real and fake images go through one
   * batched call (`withBatchGroups`), real first.
   *
   * σ's gradient with respect to weight_bar is u vᵀ read from `weight_u`/`weight_v` when the backward
   * pass runs, not the u, v of the call: the official module swaps `u.data`/`v.data` in place, so
   * autograd's saved u, v are whatever the last forward before `backward()` stored (D's loss runs
   * each conv two or three times first). The power iteration itself gets no gradient (the original
   * works on `.data`): its vectors enter σ as constants.
   */
  sigmas(steps: number): tf.Scalar[] {
    const out: tf.Scalar[] = [];
    const w = tf.reshape(this.weightBar, [-1, this.opts.outChannels]) as tf.Tensor2D; // [K, out] = Wᵀ in TF order
    let u: tf.Tensor2D = tf.reshape(this.weightU, [-1, 1]); // [out, 1]
    let v: tf.Tensor2D = this.vToTf(this.weightV); // [K, 1]
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < this.powerIterations; i++) {
        v = l2normalize(tf.matMul(w, u)); // Wᵀu
        u = l2normalize(tf.matMul(w, v, true, false)); // W v
      }
      out.push(this.sigma(w, u, v));
    }
    this.weightU.assign(tf.reshape(u, [-1]));
    this.weightV.assign(this.vToTorch(v));
    return out;
  }

  /** u·(W v) as a function of W alone, with the gradient the official module's autograd computes. */
  private sigma(w: tf.Tensor2D, u: tf.Tensor2D, v: tf.Tensor2D): tf.Scalar {
    const op = tf.customGrad(((wi: tf.Tensor) => ({
      value: tf.sum(tf.mul(u, tf.matMul(wi as tf.Tensor2D, v, true, false))),
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => tf.mul(dy, tf.matMul(this.vToTf(this.weightV), tf.reshape(this.weightU, [1, -1])))), // [K,1]·[1,out]
    })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (wi: tf.Tensor) => tf.Scalar;
    return op(w);
  }

  /** x [B,H,W,in] → [B,H',W',out]. Steps the power iteration once per batch group. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const groups = batchGroupCount();
      const sig = this.sigmas(groups);
      if (groups === 1) return convolve(x, tf.div(this.weightBar, sig[0]!) as tf.Tensor4D, this.bias, this);
      // conv(x, W/σ) = conv(x, W)/σ: one convolution for all groups, each slice scaled by its own σ.
      const b = x.shape[0];
      if (b % groups !== 0) throw new Error(`SpectralConv2d: a batch of ${b} does not split into ${groups} groups`);
      const scale = tf.reshape(tf.tile(tf.reshape(tf.div(1, tf.stack(sig)), [groups, 1]), [1, b / groups]), [b, 1, 1, 1]);
      const y = tf.mul(convolve(x, this.weightBar as tf.Tensor4D, null, this), scale);
      return (this.bias ? tf.add(y, this.bias) : y) as tf.Tensor4D;
    });
  }
}

/**
 * DM-GAN's `SpectralNorm(conv)` wrapper (`code/spectral.py`): holds the conv as child `module`, so
 * keys are `<name>.module.bias`, `.module.weight_u`, `.module.weight_v`, `.module.weight_bar`.
 */
export class SpectralNorm extends Module {
  readonly module: SpectralConv2d;

  constructor(opts: SpectralConv2dOptions) {
    super();
    this.module = this.addModule('module', new SpectralConv2d(opts));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.module.apply(x);
  }
}
