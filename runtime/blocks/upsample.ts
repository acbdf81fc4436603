import * as tf from '@tensorflow/tfjs';

/**
 * How nearest ×2 upsampling is computed. 'resize' = `tf.image.resizeNearestNeighbor` (legacy
 * corners, src = ⌊dst/2⌋ like PyTorch's nearest); 'tile' = reshape + tile, whose gradient
 * is an ordinary sum. 'auto' picks 'tile' on the pure-JS `cpu` backend, whose resizeNearestNeighbor
 * gradient is wrong for batch > 1 (see reference native-tensorflow.md), and 'resize' elsewhere.
 */
export const upsampleOptions: { mode: 'auto' | 'resize' | 'tile' } = { mode: 'auto' };

/** x [B,H,W,C] → [B,2H,2W,C], each pixel repeated 2×2. */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  const mode = upsampleOptions.mode === 'auto' ? (tf.getBackend() === 'cpu' ? 'tile' : 'resize') : upsampleOptions.mode;
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    if (mode === 'resize') return tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]);
    // Two rank-4 tiles (tfjs has no tile gradient above rank 4): repeat along W, then along H.
    const alongW = tf.reshape(tf.tile(tf.reshape(x, [b * h, w, 1, c]), [1, 1, 2, 1]), [b * h, 1, 2 * w * c]);
    return tf.reshape(tf.tile(alongW, [1, 2, 1]), [b, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}
