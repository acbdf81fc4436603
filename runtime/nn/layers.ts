import * as tf from '@tensorflow/tfjs';
import { choosePlan, conv2dPatches, explicitPads } from '../backend/conv-plan.js';
import { Module, type InitRole } from './module.js';
import { isTaping, isTapingNested } from '../backend/tfjs-internals.js';
import { nativeBatchNormInfer, nativeBatchNormTrain, nativeBatchNormTrainWithGrad } from '../backend/native-registry.js';

/**
 * Basic layers with weights kept in TensorFlow layout. A PyTorch `.pth` importer maps:
 *
 * | layer     | ours (TF layout)          | PyTorch key / layout            | mapping                    |
 * |-----------|---------------------------|---------------------------------|----------------------------|
 * | Conv2d    | weight [kh,kw,in,out]     | weight [out,in,kh,kw]           | transpose (2,3,1,0)        |
 * |           | bias [out]                | bias [out]                      | as is                      |
 * | Linear    | weight [in,out]           | weight [out,in]                 | transpose (1,0)            |
 * |           | bias [out]                | bias [out]                      | as is                      |
 * | BatchNorm | weight, bias [C]          | weight (γ), bias (β) [C]        | as is                      |
 * |           | running_mean/var [C]      | running_mean/var [C]            | as is (num_batches_tracked ignored) |
 * | Embedding | weight [num,dim]          | weight [num,dim]                | as is                      |
 */

/**
 * Implementation switches the bench compares (bench/runtime-blocks.ts, results in bench/README.md):
 * - conv+bias as one `tf.fused.conv2d` or `conv2d` + `add`;
 * - BatchNorm: 'tf' = `tf.batchNorm` (+ `tf.moments` in training, autodiff through both);
 *   'manual' = `x·scale + shift` with per-channel scale = γ/√(var+ε), shift = β − mean·scale
 *   (two full-size ops; autodiff through `tf.moments`); 'custom' = the same forward in training
 *   with the closed-form BN backward as a `tf.customGrad` (five full-size ops instead of autodiff
 *   through the moments). Eval mode is 'manual' for both 'manual' and 'custom'.
 * All choices give the same numbers and gradients to float32 rounding.
 */
export const nnOptions: { fusedConvBias: boolean; batchNorm: 'tf' | 'manual' | 'custom'; nativeBatchNorm: boolean } = {
  fusedConvBias: true,
  batchNorm: 'custom',
  /** BN on rank-4 input runs as TensorFlow's FusedBatchNormV3 (and GradV3 under a tape; eval mode only off the tape) on the native backend. */
  nativeBatchNorm: true,
};

function normalize(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor {
  if (nnOptions.batchNorm === 'tf') return tf.batchNorm(x, mean, variance, beta, gamma, eps);
  const scale = tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma);
  const shift = tf.sub(beta, tf.mul(mean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

/**
 * Training-mode BN with a hand-written gradient: dx = γ·inv/N · (N·dy − Σdy − x̂·Σ(dy·x̂)),
 * dγ = Σ(dy·x̂), dβ = Σdy (sums over all axes but the channel). Also returns the batch mean and
 * biased variance (kept; the caller disposes them) for the running-stat update.
 */
function batchNormTrainCustom(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  axes: number[],
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const n = x.size / x.shape[x.rank - 1]!;
  let stats: [tf.Tensor, tf.Tensor] | undefined;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(xi, axes);
    const inv = tf.rsqrt(tf.add(variance, eps));
    const scale = tf.mul(inv, g);
    const y = tf.add(tf.mul(xi, scale), tf.sub(b, tf.mul(mean, scale)));
    stats = [tf.keep(tf.clone(mean)), tf.keep(tf.clone(variance))];
    save([xi, mean, inv, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor;
        const [xs, m, iv, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const xhat = tf.mul(tf.sub(xs, m), iv);
        const dbeta = tf.sum(d, axes);
        const dgamma = tf.sum(tf.mul(d, xhat), axes);
        const inner = tf.sub(tf.sub(d, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
        return [tf.mul(inner, tf.mul(iv, gm)), dgamma, dbeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, mean: stats![0], variance: stats![1] };
}

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number | [number, number];
  stride?: number;
  /**
   * 'same' | 'valid' | symmetric zero padding in pixels (PyTorch `padding=p`). A number is run as
   * TF 'same' when that is the same thing for the input at hand (3×3/1/1, 4×4/2/1 on even sizes),
   * else as an explicit pad + 'valid'. Default 'same'.
   */
  padding?: 'same' | 'valid' | number;
  /** Default **false**: every conv in AttnGAN but the D logits conv is bias-free. */
  bias?: boolean;
}

export class Conv2d extends Module {
  override readonly initRole: InitRole = 'conv';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly padding: 'same' | 'valid' | number;

  constructor(readonly opts: Conv2dOptions) {
    super();
    [this.kh, this.kw] = typeof opts.kernel === 'number' ? [opts.kernel, opts.kernel] : opts.kernel;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 'same';
    const fanIn = opts.inChannels * this.kh * this.kw;
    this.weight = this.addParam('weight', [this.kh, this.kw, opts.inChannels, opts.outChannels], {
      kind: 'torch_default_conv',
    }, 'conv');
    this.bias = opts.bias ? this.addParam('bias', [opts.outChannels], { kind: 'torch_default_conv', fanIn }) : null;
  }

  /** x [B,H,W,in] → [B,H',W',out]; native `conv2d` or patches + matMul as `choosePlan` says. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return convolve(x, this.weight as tf.Tensor4D, this.bias, this);
  }
}

/** What `convolve` needs to know about a convolution besides its weights. */
export interface ConvGeometry {
  kh: number;
  kw: number;
  stride: number;
  padding: 'same' | 'valid' | number;
  opts: { inChannels: number; outChannels: number };
}

/**
 * `Conv2d`'s forward with the kernel given (TF layout `[kh,kw,in,out]`): layers whose kernel is
 * computed per call (spectral normalisation) share the convolution paths of `Conv2d`.
 */
export function convolve(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor | null, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, wd] = x.shape;
    let pads: [number, number, number, number];
    let pad: 'same' | 'valid' | undefined;
    if (g.padding === 'same' || g.padding === 'valid') {
      pad = g.padding;
      pads = explicitPads(h, wd, g.kh, g.kw, g.stride, pad);
    } else if (g.padding > 0 && sameEquivalent(g, h, wd, g.padding)) {
      pad = 'same';
      pads = explicitPads(h, wd, g.kh, g.kw, g.stride, pad);
    } else {
      const p = g.padding;
      pads = [p, p, p, p];
      pad = p === 0 ? 'valid' : undefined;
    }
    const outH = Math.floor((h + pads[0] + pads[1] - g.kh) / g.stride) + 1;
    const outW = Math.floor((wd + pads[2] + pads[3] - g.kw) / g.stride) + 1;
    const plan = choosePlan({
      input: x.shape,
      kh: g.kh,
      kw: g.kw,
      inChannels: g.opts.inChannels,
      outChannels: g.opts.outChannels,
      stride: g.stride,
      outH,
      outW,
    });
    if (plan === 'patches') return conv2dPatches(x, w, g.stride, pads, bias);
    let input = x;
    if (pad === undefined) {
      const p = g.padding as number;
      input = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
      pad = 'valid';
    }
    const s: [number, number] = [g.stride, g.stride];
    if (bias && nnOptions.fusedConvBias) {
      return tf.fused.conv2d({ x: input, filter: w, strides: s, pad, bias });
    }
    const y = tf.conv2d(input, w, s, pad);
    return bias ? tf.add(y, bias) : y;
  });
}

/** TF 'same' pads (total = max((ceil(n/s)−1)·s + k − n, 0)) with the smaller half first. */
function sameEquivalent(g: ConvGeometry, h: number, w: number, p: number): boolean {
  const ok = (n: number, k: number) => {
    const total = Math.max((Math.ceil(n / g.stride) - 1) * g.stride + k - n, 0);
    const outTorch = Math.floor((n + 2 * p - k) / g.stride) + 1;
    return total === 2 * p && outTorch === Math.ceil(n / g.stride);
  };
  return ok(h, g.kh) && ok(w, g.kw);
}

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

export class Linear extends Module {
  override readonly initRole: InitRole = 'linear';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(readonly opts: LinearOptions) {
    super();
    this.weight = this.addParam('weight', [opts.inFeatures, opts.outFeatures], { kind: 'torch_default_linear' }, 'linear');
    this.bias = opts.bias
      ? this.addParam('bias', [opts.outFeatures], { kind: 'torch_default_linear', fanIn: opts.inFeatures })
      : null;
  }

  /** x [B,in] → [B,out] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const w = this.weight as tf.Tensor2D;
      if (this.bias) return tf.fused.matMul({ a: x, b: w, bias: this.bias }) as tf.Tensor2D;
      return tf.matMul(x, w);
    });
  }
}

export interface BatchNormOptions {
  channels: number;
  /** PyTorch default 1e-5 (torchvision Inception uses 1e-3). */
  eps?: number;
  /** PyTorch convention: running ← (1−momentum)·running + momentum·batch. Default 0.1. */
  momentum?: number;
}

/**
 * BatchNorm1d/2d with PyTorch semantics on the last (channel) axis. Training normalises with the
 * batch mean and biased variance and moves the running stats towards the batch mean and the
 * *unbiased* variance; eval normalises with the running stats.
 */
/** Batch groups for train-mode BatchNorm while `withBatchGroups` runs (1 = the whole batch). */
let batchGroups = 1;

/**
 * Runs `f` with every train-mode BatchNorm normalising each of `groups` equal slices of the batch
 * (axis 0) on its own, one after the other, as if each slice went through the network in a
 * separate call (and every spectrally normalised conv taking one power-iteration step per slice). The discriminator losses use it to send real and fake images through one forward
 * pass (one weight gradient per layer instead of two to be added) while keeping the original's
 * per-call batch statistics and running-statistic updates (real first, then fake).
 */
export function withBatchGroups<T>(groups: number, f: () => T): T {
  const outer = batchGroups;
  batchGroups = groups;
  try {
    return f();
  } finally {
    batchGroups = outer;
  }
}

/** How many batch groups a train-mode layer with per-call state must treat one by one (`withBatchGroups`). */
export function batchGroupCount(): number {
  return batchGroups;
}

export class BatchNorm extends Module {
  override readonly initRole: InitRole = 'batchnorm';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly opts: BatchNormOptions) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.weight = this.addParam('weight', [opts.channels], 'ones');
    this.bias = this.addParam('bias', [opts.channels], 'zeros');
    this.runningMean = this.addBuffer('running_mean', [opts.channels], 'zeros');
    this.runningVar = this.addBuffer('running_var', [opts.channels], 'ones');
  }

  /**
   * x [B,C] or [B,H,W,C]. With `training`, the running stats are updated as a side effect (also
   * inside `tf.variableGrads`, as PyTorch does in a train-mode forward).
   */
  apply<T extends tf.Tensor2D | tf.Tensor4D>(x: T, training: boolean): T {
    if (x.rank !== 2 && x.rank !== 4) throw new Error(`BatchNorm expects [B,C] or [B,H,W,C], got [${x.shape.join(',')}]`);
    return tf.tidy(() => {
      if (!training) {
        const native = x.rank === 4 && nnOptions.nativeBatchNorm && !isTaping()
          ? nativeBatchNormInfer(x as tf.Tensor4D, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, this.eps)
          : null;
        return (native ?? normalize(x, this.runningMean, this.runningVar, this.bias, this.weight, this.eps)) as T;
      }
      if (batchGroups > 1) {
        const groups = batchGroups;
        if (x.shape[0] % groups !== 0) throw new Error(`BatchNorm: a batch of ${x.shape[0]} does not split into ${groups} groups`);
        // Slices along axis 0 share TensorFlow's buffer; only the concat copies.
        const parts = tf.split(x, groups, 0) as T[];
        const ys = withBatchGroups(1, () => parts.map((p) => this.apply(p, true)));
        return tf.concat(ys, 0) as T;
      }
      const axes = x.rank === 4 ? [0, 1, 2] : [0];
      const n = x.size / x.shape[x.rank - 1]!;
      const m = this.momentum;
      // No gradient wanted (a frozen trunk off the tape in DAMSM training): TensorFlow's fused op,
      // two passes instead of the eight of moments + normalisation.
      // On the native backend, TensorFlow's fused ops: two passes forward instead of the eight of
      // moments + normalisation, and one op backward (FusedBatchNormGradV3) under a tape.
      // Under a nested gradient call (a gradient penalty on D) the backward pass is differentiated
      // again: FusedBatchNormGradV3 and the closed-form custom gradient are not, so BN takes the
      // composite moments + normalisation form there, whose gradient is made of differentiable ops.
      const nested = isTapingNested();
      const native = x.rank === 4 && nnOptions.nativeBatchNorm && !nested
        ? (!isTaping() ? nativeBatchNormTrain : nativeBatchNormTrainWithGrad)(x as tf.Tensor4D, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, this.eps, {
            mean: this.runningMean as tf.Tensor1D,
            variance: this.runningVar as tf.Tensor1D,
            momentum: m,
          })
        : null;
      if (native) {
        this.runningMean.assign(native.runningMean);
        this.runningVar.assign(native.runningVar);
        tf.dispose([native.runningMean, native.runningVar]);
        return native.y as tf.Tensor as T;
      }
      let y: tf.Tensor;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (nnOptions.batchNorm === 'custom' && !nested) {
        ({ y, mean, variance } = batchNormTrainCustom(x, this.weight, this.bias, this.eps, axes));
      } else {
        ({ mean, variance } = tf.moments(x, axes));
        y = normalize(x, mean, variance, this.bias, this.weight, this.eps);
      }
      // Side effects only: these ops are on no path to a loss, so backprop never visits them.
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))));
      tf.dispose([mean, variance]);
      return y as T;
    });
  }
}

export interface EmbeddingOptions {
  num: number;
  dim: number;
}

export class Embedding extends Module {
  override readonly initRole: InitRole = 'embedding';
  readonly weight: tf.Variable;

  constructor(readonly opts: EmbeddingOptions) {
    super();
    this.weight = this.addParam('weight', [opts.num, opts.dim], { kind: 'normal', mean: 0, std: 1 });
  }

  /** ids int32 [...] → [..., dim] */
  apply(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.gather(this.weight, tf.cast(ids, 'int32')));
  }
}

export interface Conv1dOptions {
  inChannels: number;
  outChannels: number;
  /** Default true, PyTorch's default (DM-GAN's memory convolutions keep it). */
  bias?: boolean;
}

/**
 * `nn.Conv1d(in, out, kernel_size=1)`: a per-position linear map over a sequence. Weight stored TF
 * `[1, in, out]` (layout `conv1d` ↔ PyTorch `[out, in, 1]`), bias `[out]`.
 */
export class Conv1d extends Module {
  override readonly initRole: InitRole = 'conv';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(readonly opts: Conv1dOptions) {
    super();
    this.weight = this.addParam('weight', [1, opts.inChannels, opts.outChannels], { kind: 'torch_default_conv' }, 'conv1d');
    this.bias = opts.bias ?? true ? this.addParam('bias', [opts.outChannels], { kind: 'torch_default_conv', fanIn: opts.inChannels }) : null;
  }

  /** x [B,L,in] (channels last) → [B,L,out] */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, l, c] = x.shape;
      const w = tf.reshape(this.weight, [c, this.opts.outChannels]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(tf.reshape(x, [b * l, c]) as tf.Tensor2D, w);
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [b, l, this.opts.outChannels]) as tf.Tensor3D;
    });
  }
}
