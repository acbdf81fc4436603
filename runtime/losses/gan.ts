import * as tf from '@tensorflow/tfjs';
import { bce } from './bce.js';

/** The heads' sigmoid outputs for one discriminator stage, each [B] (or [B', …] for `wrongCond`). */
export interface DiscriminatorOutputs {
  /** COND head on (real image, its caption). */
  realCond: tf.Tensor;
  /** COND head on (fake image, its caption); the fake must be detached by the caller. */
  fakeCond: tf.Tensor;
  /** COND head on mismatched pairs, see {@link mismatchedPairs}. */
  wrongCond: tf.Tensor;
  /** UNCOND head on the real image; absent for discriminators without it (AttnDCGAN). */
  realUncond?: tf.Tensor;
  /** UNCOND head on the fake image. */
  fakeUncond?: tf.Tensor;
}

export type DiscriminatorLoss = {
  loss: tf.Scalar;
  condReal: tf.Scalar;
  condFake: tf.Scalar;
  condWrong: tf.Scalar;
  uncondReal?: tf.Scalar;
  uncondFake?: tf.Scalar;
};

/**
 * Per-term weights of the adversarial loss (`losses[].weights` of an adversarial term); each
 * multiplies its mean BCE term before the original's averaging. All 1 (the default) is the
 * original; `mismatched` acts in D's loss only (G never sees mismatched pairs).
 */
export interface AdversarialWeights {
  conditional: number;
  unconditional: number;
  mismatched: number;
}

const weighted = (t: tf.Scalar, w: number | undefined): tf.Scalar => (w === undefined || w === 1 ? t : (tf.mul(t, w) as tf.Scalar));

/**
 * One stage's discriminator loss as the original code weights it:
 * with the unconditional head `(uncond_real + cond_real)/2 + (uncond_fake + cond_fake + cond_wrong)/3`,
 * without it `cond_real + (cond_fake + cond_wrong)/2`. Every term is a mean BCE; with `weights`
 * each term is multiplied by its weight inside those averages (the returned terms stay unweighted,
 * so the logs read the same whatever the weights).
 */
export function discriminatorLoss(d: DiscriminatorOutputs, weights?: AdversarialWeights): DiscriminatorLoss {
  const hasUncond = d.realUncond !== undefined || d.fakeUncond !== undefined;
  if (hasUncond && (d.realUncond === undefined || d.fakeUncond === undefined)) {
    throw new Error('discriminatorLoss: give both realUncond and fakeUncond, or neither');
  }
  return tf.tidy(() => {
    const condReal = bce(d.realCond, 1);
    const condFake = bce(d.fakeCond, 0);
    const condWrong = bce(d.wrongCond, 0);
    const [wc, wu, wm] = [weights?.conditional, weights?.unconditional, weights?.mismatched];
    if (!hasUncond) {
      const loss = tf.add(weighted(condReal, wc), tf.div(tf.add(weighted(condFake, wc), weighted(condWrong, wm)), 2)) as tf.Scalar;
      return { loss, condReal, condFake, condWrong };
    }
    const uncondReal = bce(d.realUncond!, 1);
    const uncondFake = bce(d.fakeUncond!, 0);
    const loss = tf.add(
      tf.div(tf.add(weighted(uncondReal, wu), weighted(condReal, wc)), 2),
      tf.div(tf.addN([weighted(uncondFake, wu), weighted(condFake, wc), weighted(condWrong, wm)]), 3),
    ) as tf.Scalar;
    return { loss, condReal, condFake, condWrong, uncondReal, uncondFake };
  });
}

/**
 * The mismatched (image, caption) pairs of the D loss: real image k with caption k+1, i.e.
 * `image[0:B−1]` against `sentence[1:B]` (no class check, as the original). Works on any rank:
 * slices along the batch axis only.
 */
export function mismatchedPairs<T extends tf.Tensor, S extends tf.Tensor>(
  image: T,
  sentence: S,
): { image: T; sentence: S } {
  const b = image.shape[0]!;
  if (sentence.shape[0] !== b) throw new Error(`mismatchedPairs: batch ${b} vs ${sentence.shape[0]}`);
  if (b < 2) throw new Error('mismatchedPairs needs a batch of at least 2');
  return {
    image: tf.slice(image, 0, b - 1) as T,
    sentence: tf.slice(sentence, 1, b - 1) as S,
  };
}

/** One stage's heads on the generated image (the generator wants both to say "real"). */
export interface GeneratorStageOutputs {
  fakeCond: tf.Tensor;
  fakeUncond?: tf.Tensor;
}

export interface GeneratorAdvOptions {
  /** Multiply each stage's (uncond + cond) by ½ as in the paper; the code does not (default false). */
  paperHalf?: boolean;
  /** Weights of the conditional and unconditional terms (`mismatched` is not used by G); absent: all 1. */
  weights?: AdversarialWeights;
}

/** Σ over stages of BCE(uncond, 1) + BCE(cond, 1) (uncond skipped where the stage has none), each term times its weight. */
export function generatorAdvLoss(
  stages: GeneratorStageOutputs[],
  options: GeneratorAdvOptions = {},
): { loss: tf.Scalar; perStage: tf.Scalar[] } {
  if (stages.length === 0) throw new Error('generatorAdvLoss: no stages');
  return tf.tidy(() => {
    const perStage = stages.map((s) => {
      let l = weighted(bce(s.fakeCond, 1), options.weights?.conditional);
      if (s.fakeUncond !== undefined) l = tf.add(l, weighted(bce(s.fakeUncond, 1), options.weights?.unconditional));
      return (options.paperHalf ? tf.mul(l, 0.5) : l) as tf.Scalar;
    });
    const loss = (perStage.length === 1 ? tf.clone(perStage[0]!) : tf.addN(perStage)) as tf.Scalar;
    return { loss, perStage };
  });
}
