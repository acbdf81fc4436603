import { dropWords, layoutFor, type DatasetConfig } from '../data/dataset.js';
import { buildIndex } from '../data/layout.js';
import { buildSynthIndex } from '../data/synth-index.js';
import type { Vocabulary } from '../data/vocab.js';
import { AttncError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { mismatchedCaptions, type CaptionPoolEntry } from './rprecision.js';

/** One image of the evaluated split with its captions in the model's word ids. */
export interface SplitImage {
  /** Position in the split (for `Dataset.getSample`). */
  index: number;
  key: string;
  classId: number;
  captions: number[][];
}

/** One generated sample of the evaluation: which image's caption it is conditioned on. */
export interface EvalItem {
  /** Global sample index 0..samples−1: seeds its noise and fixes its fold. */
  g: number;
  image: number;
  caption: number;
  /** The words fed to the generator (after the spec's word limit). */
  ids: number[];
  /** R-precision candidates after the true caption: (image, caption) pairs of other classes. */
  mismatched: Array<{ image: number; caption: number }>;
}

/**
 * The split's images and captions, without loading any image. Captions are re-encoded with the
 * model's vocabulary (the dataset's own ids may differ for a vocabulary saved with a checkpoint).
 */
export async function splitImages(cfg: DatasetConfig, vocab: Vocabulary): Promise<{ images: SplitImage[]; unknownWords: number }> {
  const index = cfg.kind === 'synthbirds' ? buildSynthIndex(cfg) : await buildIndex(cfg, layoutFor(cfg));
  let unknownWords = 0;
  const images = index.entries.map((e, i): SplitImage => ({
    index: i,
    key: e.key,
    classId: e.classId,
    captions: e.captions.map((ids) => {
      const enc = vocab.encode(index.vocab.decode(ids));
      unknownWords += enc.unknown.length;
      return enc.ids;
    }),
  }));
  return { images, unknownWords };
}

/**
 * The evaluation's caption set: `samples` items; item g takes image `perm_p[g mod size]` of pass
 * p = ⌊g / size⌋ (a fresh seeded permutation per pass, like re-iterating a shuffled loader), one of
 * its captions at random and, when the caption is longer than `wordsNum`, the spec's word drop —
 * all drawn from a stream seeded by (seed, g), so any shard computes exactly its items.
 */
export function evalItems(images: readonly SplitImage[], opts: { samples: number; seed: number; wordsNum: number; longCaptions: 'random_drop' | 'truncate'; candidates: number | undefined; indices: readonly number[] }): EvalItem[] {
  if (images.length === 0) throw new AttncError('ATTNC_EVAL_EMPTY', 'the evaluated split has no images');
  const size = images.length;
  const perms = new Map<number, number[]>();
  const perm = (p: number) => {
    let x = perms.get(p);
    if (!x) {
      x = Rng.stream(opts.seed).fork(`pass:${p}`).shuffle(Array.from({ length: size }, (_, i) => i));
      perms.set(p, x);
    }
    return x;
  };
  const pool: CaptionPoolEntry[] = images.map((im) => ({ classId: im.classId, captions: im.captions.length }));
  if (opts.candidates !== undefined && !pool.some((p) => p.classId !== pool[0]!.classId)) {
    throw new AttncError('ATTNC_EVAL_EMPTY', 'R-precision needs images of at least two classes in the evaluated split', { hint: 'evaluate a larger split or leave rprecision out of --metrics' });
  }
  return opts.indices.map((g) => {
    const image = perm(Math.floor(g / size))[g % size]!;
    const rng = Rng.stream(opts.seed).fork(g);
    const caption = rng.int(images[image]!.captions.length);
    const full = images[image]!.captions[caption]!;
    const ids = opts.longCaptions === 'truncate' ? full.slice(0, opts.wordsNum) : dropWords(full, opts.wordsNum, rng);
    const mismatched = opts.candidates === undefined ? [] : mismatchedCaptions(pool, images[image]!.classId, opts.candidates - 1, rng);
    return { g, image, caption, ids, mismatched };
  });
}
