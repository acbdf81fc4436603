import { classDirName, classIdOf, sampleAttributes, tripleOfClassId, type BirdAttributes, type ColourTriple } from './attributes.js';
import { CAPTIONS_PER_IMAGE, makeCaptions } from './captions.js';
import { MAX_SIZE, MIN_SIZE, renderBird, type RenderedBird } from './render.js';
import { Rng, hash32 } from '../../util/rng.js';
import { STREAM } from './streams.js';
import { DEFAULT_HELDOUT_FRACTION, DEFAULT_TEST_FRACTION, heldoutClassIds, splitOf, type SynthSplit } from './splits.js';

export interface SynthBirdsOptions {
  /** Number of images (all splits together). */
  n: number;
  /** Default image side for `render(i)`, 32..256. */
  size?: number;
  seed?: number;
  /** Fraction of seen-combination images that go to `test` (default 0.1). */
  testFraction?: number;
  /** Fraction of the 729 colour combinations held out of train/test (default 0.1, at most 0.5). */
  heldoutFraction?: number;
}

export interface SynthBirdItem {
  /** Position in the whole dataset (0-based); `images.txt` numbers it `index + 1`. */
  index: number;
  /** CUB-style key, class folder + image name: `001.red_red_red/synth_000123`. */
  key: string;
  /** 1..729, from the (wing, belly, crown) colour triple. */
  classId: number;
  split: SynthSplit;
  attributes: BirdAttributes;
  /** CAPTIONS_PER_IMAGE captions. */
  captions: string[];
  /** Seed of `renderBird` for this item. */
  renderSeed: number;
}

export interface SynthBirds {
  n: number;
  size: number;
  seed: number;
  testFraction: number;
  heldoutFraction: number;
  items: SynthBirdItem[];
  /** Item indices per split, ascending. */
  splits: Record<SynthSplit, number[]>;
  /** Class ids (and colour triples) that only occur in `heldout`. */
  heldoutClassIds: number[];
  heldoutCombos: ColourTriple[];
  captionsPerImage: number;
  /** Item i's image at `size` (default: the dataset's); a pure function of (seed, i, size). */
  render(i: number, size?: number): RenderedBird;
  /** Item i's image as floats in [-1, 1], HWC, written into `out` at `offset` (for batching without copies). */
  renderInto(i: number, out: Float32Array, offset?: number, size?: number): [number, number, number, number];
}

export const DEFAULT_SEED = 0;
export const DEFAULT_SIZE = 128;

export function synthItemKey(classId: number, index: number): string {
  return `${classDirName(classId)}/synth_${String(index).padStart(6, '0')}`;
}

/**
 * The synthetic birds dataset, in memory: attributes, captions and splits are computed up front
 * (fast: no pixels), images are rendered on demand. Same options → identical dataset.
 */
export function synthBirds(opts: SynthBirdsOptions): SynthBirds {
  const n = opts.n;
  const size = opts.size ?? DEFAULT_SIZE;
  const seed = (opts.seed ?? DEFAULT_SEED) >>> 0;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`synthbirds: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new RangeError(`synthbirds: size must be an integer in ${MIN_SIZE}..${MAX_SIZE}, got ${size}`);
  }
  const testFraction = opts.testFraction ?? DEFAULT_TEST_FRACTION;
  const heldoutFraction = opts.heldoutFraction ?? DEFAULT_HELDOUT_FRACTION;
  if (!(testFraction >= 0 && testFraction <= 1)) throw new RangeError(`synthbirds: testFraction must be in 0..1, got ${testFraction}`);
  if (!(heldoutFraction >= 0 && heldoutFraction <= 0.5)) throw new RangeError(`synthbirds: heldoutFraction must be in 0..0.5, got ${heldoutFraction}`);
  const heldoutIds = heldoutClassIds(seed, heldoutFraction);
  const heldout = new Set(heldoutIds);
  const items: SynthBirdItem[] = new Array(n);
  const splits: Record<SynthSplit, number[]> = { train: [], test: [], heldout: [] };
  for (let i = 0; i < n; i++) {
    const attributes = sampleAttributes(Rng.stream(hash32(seed, i, STREAM.attributes)));
    const classId = classIdOf(attributes);
    const split = splitOf(seed, i, classId, heldout, testFraction);
    items[i] = {
      index: i,
      key: synthItemKey(classId, i),
      classId,
      split,
      attributes,
      captions: makeCaptions(attributes, hash32(seed, i, STREAM.captions)),
      renderSeed: hash32(seed, i, STREAM.render),
    };
    splits[split].push(i);
  }
  const item = (i: number): SynthBirdItem => {
    const it = items[i];
    if (!it) throw new RangeError(`synthbirds: item ${i} out of range 0..${n - 1}`);
    return it;
  };
  return {
    n,
    size,
    seed,
    testFraction,
    heldoutFraction,
    items,
    splits,
    heldoutClassIds: heldoutIds,
    heldoutCombos: heldoutIds.map(tripleOfClassId),
    captionsPerImage: CAPTIONS_PER_IMAGE,
    render(i, s = size) {
      const it = item(i);
      return renderBird(it.attributes, s, it.renderSeed);
    },
    renderInto(i, out, offset = 0, s = size) {
      const it = item(i);
      const { rgb, bbox } = renderBird(it.attributes, s, it.renderSeed);
      if (out.length < offset + rgb.length) throw new RangeError(`synthbirds: output buffer too small for a ${s}×${s} image`);
      // Through the same 8-bit quantisation as the images on disk: in-memory and on-disk training see the same values.
      for (let k = 0; k < rgb.length; k++) out[offset + k] = rgb[k]! / 127.5 - 1;
      return bbox;
    },
  };
}
