import * as tf from '@tensorflow/tfjs';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { Rng } from '../util/rng.js';
import { glu } from './glu.js';

export interface CondAugmentOptions {
  /** Sentence embedding size (text encoder output), 256 in AttnGAN. */
  textDim?: number;
  /** c_dim (CONDITION_DIM), 100 in AttnGAN. */
  cDim?: number;
}

export interface CondAugmentOutput {
  /** [B, cDim] = mu + eps·exp(logvar/2) */
  c: tf.Tensor2D;
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
}

/**
 * `CA_NET` (§5.1): Linear(textDim → 4·cDim, bias) → GLU → mu = first cDim, logvar = last cDim,
 * c = mu + eps·exp(0.5·logvar). The original samples eps also at eval. Key: `fc.weight`, `fc.bias`.
 */
export class CondAugment extends Module {
  readonly fc: Linear;
  readonly textDim: number;
  readonly cDim: number;

  constructor(readonly opts: CondAugmentOptions = {}) {
    super();
    this.textDim = opts.textDim ?? 256;
    this.cDim = opts.cDim ?? 100;
    this.fc = this.addModule('fc', new Linear({ inFeatures: this.textDim, outFeatures: 4 * this.cDim, bias: true }));
  }

  /**
   * sent [B, textDim] → { c, mu, logvar }. `noise` is eps [B, cDim], or an `Rng` to draw it from
   * (JS-side, reproducible), or omitted for `tf.randomNormal`.
   */
  apply(sent: tf.Tensor2D, noise?: tf.Tensor2D | Rng): CondAugmentOutput {
    const b = sent.shape[0];
    return tf.tidy(() => {
      const x = glu(this.fc.apply(sent));
      const mu = tf.slice(x, [0, 0], [b, this.cDim]);
      const logvar = tf.slice(x, [0, this.cDim], [b, this.cDim]);
      let eps: tf.Tensor2D;
      // `instanceof Rng`, not `instanceof tf.Tensor`: the latter breaks when two tfjs-core copies are installed.
      if (noise instanceof Rng) eps = tf.tensor2d(noise.fillNormal(new Float32Array(b * this.cDim)), [b, this.cDim]);
      else if (noise) eps = noise;
      else eps = tf.randomNormal([b, this.cDim]);
      const c = tf.add(mu, tf.mul(eps, tf.exp(tf.mul(logvar, 0.5)))) as tf.Tensor2D;
      return { c, mu, logvar };
    });
  }
}

/** KL(N(mu, σ²) ‖ N(0, I)) as the original computes it: −½ · mean(1 + logvar − mu² − exp(logvar)). */
export function caKLLoss(mu: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar)))), -0.5) as tf.Scalar);
}

/**
 * The sentence code of a generator without conditioning augmentation (`generator.conditioning_augmentation:
 * false`): CA_NET's Linear + GLU without the log-variance half and without noise, c = GLU(fc(sent)) —
 * CA_NET's μ made deterministic, with no KL term to keep it small. Why: with CA the KL term keeps c
 * near noise for the first thousand steps of a short run (KL < 0.01 per dimension), so the first
 * stage draws without the caption; without it the 32 px stage draws the caption's scene from the
 * start (docs/tuning.md, fourth round). Key: `fc.weight`, `fc.bias`.
 */
export class SentenceCode extends Module {
  readonly fc: Linear;
  readonly textDim: number;
  readonly cDim: number;

  constructor(opts: CondAugmentOptions = {}) {
    super();
    this.textDim = opts.textDim ?? 256;
    this.cDim = opts.cDim ?? 100;
    this.fc = this.addModule('fc', new Linear({ inFeatures: this.textDim, outFeatures: 2 * this.cDim, bias: true }));
  }

  /** sent [B, textDim] → c [B, cDim]. */
  apply(sent: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => glu(this.fc.apply(sent)) as tf.Tensor2D);
  }
}
