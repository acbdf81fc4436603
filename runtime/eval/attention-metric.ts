import * as tf from '@tensorflow/tfjs';
import { PARTS } from '../data/synthbirds/index.js';
import { parseWords } from '../data/synthbirds/captions.js';
import type { Vocabulary } from '../data/vocab.js';
import { attentionLift, emptyLiftSums, mergeLiftSums, poolMasks, type LiftSums, type LiftWord } from './attention-lift.js';
import type { PartSegmenter } from './part-segmenter.js';

/** The parts a colour word names, scored by `attnc eval --metrics attention`. */
export const LIFT_PARTS = ['wing', 'belly', 'crown'] as const;

/**
 * A part smaller than this share of the attention grid is skipped for that image: one stray
 * pixel of attention inside a sliver would read as an enormous lift.
 */
export const MIN_PART_SHARE = 0.01;

/** Mergeable sums of the attention metric, per `LIFT_PARTS` entry. */
export interface AttentionSums {
  lift: LiftSums;
  /** Σ 1 / (part's share): the lift of a word that looked only inside its part. */
  ceiling: number[];
  /** Colour words skipped because their part (as segmented) covered less than MIN_PART_SHARE. */
  skipped: number;
}

export function emptyAttentionSums(): AttentionSums {
  return { lift: emptyLiftSums(LIFT_PARTS.length), ceiling: new Array<number>(LIFT_PARTS.length).fill(0), skipped: 0 };
}

export function mergeAttentionSums(a: AttentionSums, b: AttentionSums): AttentionSums {
  return { lift: mergeLiftSums(a.lift, b.lift), ceiling: a.ceiling.map((v, k) => v + b.ceiling[k]!), skipped: a.skipped + b.skipped };
}

/**
 * Adds one batch: the last attention stage's maps `attn` [B, h, w, T] against the parts the
 * segmenter finds in the generated images (there is no mask for a generated picture), pooled to
 * the attention grid. Each colour word attached to wing, belly or crown ("red" in "red wings",
 * found by the caption grammar's parser on the words fed to the generator) scores its lift.
 */
export function addAttentionBatch(sums: AttentionSums, attn: tf.Tensor4D, images: tf.Tensor4D, captions: readonly (readonly number[])[], vocab: Vocabulary, segmenter: PartSegmenter): void {
  const [B, h, w, T] = attn.shape;
  if (h !== w) throw new RangeError(`attention metric: a ${h}×${w} attention grid is not square`);
  const probs = segmenter.predict(images);
  const size = probs.shape[1];
  const K = probs.shape[3];
  const maps = attn.dataSync();
  const masks = probs.dataSync();
  probs.dispose();
  const perImage = size * size * K;
  const cells = h * w;
  for (let b = 0; b < B; b++) {
    const words: Array<LiftWord & { slot: number }> = [];
    for (const m of parseWords(vocab.decode(captions[b]!)).mentions) {
      const slot = (LIFT_PARTS as readonly string[]).indexOf(m.attribute);
      if (slot >= 0 && m.index < T) words.push({ word: m.index, part: PARTS.indexOf(m.attribute as (typeof PARTS)[number]), slot });
    }
    if (words.length === 0) continue;
    const grid = poolMasks(masks.subarray(b * perImage, (b + 1) * perImage), size, K, h);
    const lifts = attentionLift(maps.subarray(b * cells * T, (b + 1) * cells * T), T, grid, K, words);
    words.forEach((wd, i) => {
      let area = 0;
      for (let p = 0; p < cells; p++) area += grid[p * K + wd.part]!;
      const share = area / cells;
      const lift = lifts[i];
      if (lift === null || lift === undefined || share < MIN_PART_SHARE) {
        sums.skipped++;
        return;
      }
      sums.lift.sum[wd.slot]! += lift;
      sums.lift.count[wd.slot]!++;
      sums.ceiling[wd.slot]! += 1 / share;
    });
  }
}
