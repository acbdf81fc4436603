import { COLOURS, NUM_CLASSES, tripleOfClassId, type ColourTriple } from './attributes.js';
import { Rng, hash32 } from '../../util/rng.js';
import { STREAM } from './streams.js';

export const SPLITS = ['train', 'test', 'heldout'] as const;
/**
 * `train` and `test` share colour combinations (test images are new draws of seen classes);
 * `heldout` holds the images whose (wing, belly, crown) combination never occurs in train or test,
 * for measuring compositional generalisation. Every single colour of every part still occurs in train.
 */
export type SynthSplit = (typeof SPLITS)[number];

export const DEFAULT_TEST_FRACTION = 0.1;
export const DEFAULT_HELDOUT_FRACTION = 0.1;

/**
 * The held-out class ids: a seeded sample of `fraction` of all colour triples, sorted. Chosen so that
 * each part's colours stay covered by the remaining (trainable) triples.
 */
export function heldoutClassIds(seed: number, fraction = DEFAULT_HELDOUT_FRACTION): number[] {
  const count = Math.round(NUM_CLASSES * Math.min(Math.max(fraction, 0), 0.5));
  const ids = Array.from({ length: NUM_CLASSES }, (_, i) => i + 1);
  Rng.stream(hash32(seed, STREAM.heldout)).shuffle(ids);
  const chosen = ids.slice(0, count).sort((a, b) => a - b);
  // With at most half of the 729 triples held out, every (part, colour) keeps ≥ 1 seen triple; assert it anyway.
  const covered = new Set<string>();
  for (const id of ids.slice(count)) tripleOfClassId(id).forEach((c, part) => covered.add(`${part}:${c}`));
  if (covered.size !== 3 * COLOURS.length) throw new Error('synthbirds: the held-out set leaves a part colour unseen');
  return chosen;
}

export function heldoutCombos(seed: number, fraction = DEFAULT_HELDOUT_FRACTION): ColourTriple[] {
  return heldoutClassIds(seed, fraction).map(tripleOfClassId);
}

/** Which split item `index` falls in: held-out by its class, otherwise test with probability `testFraction`. */
export function splitOf(
  seed: number,
  index: number,
  classId: number,
  heldout: ReadonlySet<number>,
  testFraction = DEFAULT_TEST_FRACTION,
): SynthSplit {
  if (heldout.has(classId)) return 'heldout';
  return hash32(seed, index, STREAM.split) / 4294967296 < testFraction ? 'test' : 'train';
}
