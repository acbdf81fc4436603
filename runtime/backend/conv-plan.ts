import * as tf from '@tensorflow/tfjs';
import { fastPathEnabled } from './fast-paths.js';
import { isTaping } from './tfjs-internals.js';

/**
 * How a 2-D convolution runs: the backend's `conv2d`, or explicit patches + one `matMul`
 * ("im2col"). On native TensorFlow (oneDNN) the convolutions of AttnGAN's discriminators on tiny
 * feature maps with many channels (4×4 stride 2 1024→2048 on 8×8, 3×3 2048→1024 on 4×4, …) run
 * at ~10 GFLOPS as `conv2d` and at matMul speed (~10× more) as patches; on large maps `conv2d` wins
 * and patches would cost k² × the input in memory. `bench/conv-plan.ts` measures both per layer
 * shape; its results are the table in bench/README.md, and `choosePlan` is the rule read off it.
 *
 * Image heads (3×3 convolutions to 3 RGB channels) on large maps, off the gradient tape (sampling,
 * evaluation, sample grids): oneDNN's direct kernel fills few of its vector lanes with 3 output
 * channels, and on a 2-core AMD EPYC with AVX-512 the birds generator's 256 px head took 36 ms at
 * best as `conv2d` and 23 ms as patches + matMul (identical outputs; `bench/sample-profile.ts`,
 * bench/README.md "Sampling at batch 1 on other CPUs"). Patches cost k² × the input in memory, so
 * only while that stays under `maxNarrowPatchBytes`; under a tape the whole-map `conv2d` stays.
 */
export type ConvPlan = 'native' | 'patches';

export const convPlanOptions: {
  /** 'auto' = `choosePlan` on the native backend, 'native' elsewhere. */
  mode: 'auto' | ConvPlan;
  /** Patches when the output map has at most this many pixels per image (8×8) … */
  maxOutPixels: number;
  /** … and the reduction K = kh·kw·in is at least this long (3×3×512; 4×4×256 = 4,096 loses). */
  minReduction: number;
  /** Patches for off-tape convolutions with at most this many output channels (image heads) … */
  maxNarrowOut: number;
  /** … on maps of at least this many output pixels per image (128×128) … */
  minNarrowPixels: number;
  /** … while the patches take at most this many bytes. */
  maxNarrowPatchBytes: number;
} = { mode: 'auto', maxOutPixels: 64, minReduction: 4608, maxNarrowOut: 4, minNarrowPixels: 128 * 128, maxNarrowPatchBytes: 160 * 2 ** 20 };

export interface ConvShape {
  /** Input [B, H, W, C]. */
  input: readonly number[];
  kh: number;
  kw: number;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Output spatial size. */
  outH: number;
  outW: number;
}

export function choosePlan(s: ConvShape): ConvPlan {
  const mode = convPlanOptions.mode;
  if (mode !== 'auto') return mode;
  if (tf.getBackend() !== 'tensorflow' || !fastPathEnabled('conv-patches')) return 'native';
  if (s.kh === 1 && s.kw === 1) return 'native';
  const k = s.kh * s.kw * s.inChannels;
  if (s.outH * s.outW <= convPlanOptions.maxOutPixels && k >= convPlanOptions.minReduction) return 'patches';
  const narrow = s.outChannels <= convPlanOptions.maxNarrowOut && s.outH * s.outW >= convPlanOptions.minNarrowPixels;
  if (narrow && !isTaping() && 4 * s.input[0]! * s.outH * s.outW * k <= convPlanOptions.maxNarrowPatchBytes) return 'patches';
  return 'native';
}

/** Explicit zero padding [top, bottom, left, right] for TF 'same' (the smaller half first) or 'valid'. */
export function explicitPads(h: number, w: number, kh: number, kw: number, stride: number, pad: 'same' | 'valid'): [number, number, number, number] {
  if (pad === 'valid') return [0, 0, 0, 0];
  const total = (n: number, k: number) => Math.max((Math.ceil(n / stride) - 1) * stride + k - n, 0);
  const th = total(h, kh);
  const tw = total(w, kw);
  return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
}

/**
 * `conv2d(x, w, stride, pads)` as patches [B·Ho·Wo, kh·kw·in] times the weight reshaped to
 * [kh·kw·in, out] — the weight's own layout, so the (large) weight is never copied. Patches are
 * plain slices (gradient: pad), so the whole thing differentiates with tfjs's registered gradients;
 * strides > 1 view the padded input as [B, H/s, s, W/s, s, C] so that every kernel offset is a
 * contiguous slice (tfjs has no StridedSlice gradient).
 */
export function conv2dPatches(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  pads: readonly [number, number, number, number],
  bias?: tf.Tensor | null,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, wd, c] = x.shape;
    const [kh, kw, , out] = w.shape;
    const [pt, pb, pl, pr] = pads;
    const hp = h + pt + pb;
    const wp = wd + pl + pr;
    const ho = Math.floor((hp - kh) / stride) + 1;
    const wo = Math.floor((wp - kw) / stride) + 1;
    // Extra bottom/right zeros so the padded size divides by the stride (never read by the conv).
    const eh = (stride - (hp % stride)) % stride;
    const ew = (stride - (wp % stride)) % stride;
    const xp = pt + pb + pl + pr + eh + ew > 0 ? tf.pad(x, [[0, 0], [pt, pb + eh], [pl, pr + ew], [0, 0]]) : x;
    const cols: tf.Tensor[] = [];
    if (stride === 1) {
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) cols.push(tf.slice(xp, [0, i, j, 0], [b, ho, wo, c]));
    } else {
      const v = tf.reshape(xp, [b, (hp + eh) / stride, stride, (wp + ew) / stride, stride, c]);
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const a = Math.floor(i / stride);
          const bb = Math.floor(j / stride);
          const s = tf.slice(v, [0, a, i % stride, bb, j % stride, 0], [b, ho, 1, wo, 1, c]);
          cols.push(tf.reshape(s, [b, ho, wo, c]));
        }
      }
    }
    const patches = cols.length === 1 ? cols[0]! : tf.concat(cols, 3);
    const k = kh * kw * c;
    const y2 = tf.matMul(tf.reshape(patches, [b * ho * wo, k]), tf.reshape(w, [k, out]));
    const y = tf.reshape(bias ? tf.add(y2, bias) : y2, [b, ho, wo, out]);
    return y as tf.Tensor4D;
  });
}
