import * as tf from '@tensorflow/tfjs';
import { upsampleNearest2x } from './upsample.js';

/**
 * How `upBlock`'s nearest ×2 upsampling followed by a 3×3 convolution (padding 1, no bias) is
 * computed. 'resize-conv' does just that. 'transposed' is one stride-2 transposed convolution of
 * the low-resolution input with a 4×4 kernel folded from the 3×3 one: the same linear map, with
 * 16 multiply-adds per input pixel and channel pair instead of 36 (the upsampled map repeats each
 * pixel 2×2, so the 3×3 taps that land on the same source pixel can be summed beforehand).
 * 'auto' takes 'transposed' on the native backend where the batch holds ≥ 1,024 input pixels
 * (B·H·W): there it was 1.3–2× faster forward and 1.4–1.7× forward+backward; on fewer pixels with
 * many channels TensorFlow's transposed convolution is the slower one (`npx tsx bench/upsample-conv.ts`).
 */
export const upsampleConvOptions: { plan: 'auto' | 'resize-conv' | 'transposed' } = { plan: 'auto' };

/** Rows of the fold: transposed-conv tap k ← sum of 3×3 taps. K = [W2, W1 + W2, W0 + W1, W0]. */
const FOLD = [[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]];

/** The 4×4 transposed-convolution filter [4, 4, out, in] equivalent to upsample ×2 then `w` [3, 3, in, out]. */
export function foldUpsampleKernel(w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , cin, cout] = w.shape;
    const a = tf.tensor2d(FOLD);
    const rows = tf.reshape(tf.matMul(a, tf.reshape(w, [3, 3 * cin * cout])), [4, 3, cin, cout]);
    const cols = tf.matMul(a, tf.reshape(tf.transpose(rows, [1, 0, 2, 3]), [3, 4 * cin * cout]));
    // cols is [kx, ky, in, out]; conv2dTranspose wants [ky, kx, out, in]
    return tf.transpose(tf.reshape(cols, [4, 4, cin, cout]), [1, 0, 3, 2]) as tf.Tensor4D;
  });
}

/** Which formulation `upsampleConv3x3` uses for an input of `shape` [B, H, W, C]. */
export function upsampleConvPlan(shape: readonly number[]): 'resize-conv' | 'transposed' {
  if (upsampleConvOptions.plan !== 'auto') return upsampleConvOptions.plan;
  return tf.getBackend() === 'tensorflow' && shape[0]! * shape[1]! * shape[2]! >= 1024 ? 'transposed' : 'resize-conv';
}

/**
 * x [B,H,W,in], w [3,3,in,out] → conv3x3(upsample×2(x)) with padding 1: [B,2H,2W,out].
 * `conv` computes the 'resize-conv' plan's convolution (default `tf.conv2d`; `UpBlock` passes its
 * `Conv2d`, whose own plan may be patches + matMul on small maps).
 */
export function upsampleConv3x3(x: tf.Tensor4D, w: tf.Tensor4D, conv: (u: tf.Tensor4D) => tf.Tensor4D = (u) => tf.conv2d(u, w, 1, 'same')): tf.Tensor4D {
  const [b, h, wd] = x.shape;
  const plan = upsampleConvPlan(x.shape);
  return tf.tidy(() => {
    if (plan === 'resize-conv') return conv(upsampleNearest2x(x));
    // Output 2H: (H − 1)·2 + 4 − 2, i.e. 'same' padding of 1 on each side for the stride-2 4×4 filter.
    return tf.conv2dTranspose(x, foldUpsampleKernel(w), [b, 2 * h, 2 * wd, w.shape[3]], 2, 'same');
  });
}
