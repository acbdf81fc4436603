import { AttncError } from '../util/errors.js';
import type { DatasetEntry, SynthBirdsDatasetConfig } from './config.js';
import { DEFAULT_RESIZE_RATIO } from './images.js';
import { CAPTIONS_PER_IMAGE } from './synthbirds/captions.js';
import { DEFAULT_SEED, synthBirds } from './synthbirds/dataset.js';
import { MAX_SIZE, MIN_SIZE } from './synthbirds/render.js';
import { SPLITS } from './synthbirds/splits.js';
import type { SynthSplit } from './synthbirds/splits.js';
import { tokenize } from './tokenizer.js';
import { keepNonEmpty, Vocabulary } from './vocab.js';

export interface SynthIndex {
  entries: DatasetEntry[];
  vocab: Vocabulary;
  /** Side the birds are rendered at before the shared resize / crop / flip. */
  renderSize: number;
  /** Captions without a word of the vocabulary (only possible in a split whose words train/test lack): never drawn. */
  emptyCaptions: number;
  warnings: string[];
}

/**
 * The side to render at: the transform's crop source, int(last size · resizeRatio), so the crop is
 * taken from a full-resolution picture without resampling it first. Clamped to the renderer's
 * 32..256; outside that the shared transform resamples (e.g. 256-px stages at 76/64 render at 256).
 */
export function synthRenderSize(imageSizes: readonly number[], resizeRatio = DEFAULT_RESIZE_RATIO): number {
  const src = Math.trunc(imageSizes[imageSizes.length - 1]! * resizeRatio);
  return Math.min(MAX_SIZE, Math.max(MIN_SIZE, src));
}

function configError(msg: string, cause?: unknown): AttncError {
  return new AttncError('ATTNC_DATA_CONFIG', `synthbirds: ${msg}`, {
    hint: 'see docs/synthbirds.md',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The entries of one synthbirds split, and a vocabulary built like the folder loader's (every word of
 * the train and test captions, sorted), so opening any split gives the same ids. Nothing touches the disk.
 */
export function buildSynthIndex(cfg: SynthBirdsDatasetConfig): SynthIndex {
  const split = cfg.split;
  if (!(SPLITS as readonly string[]).includes(split)) throw configError(`split must be one of ${SPLITS.join(', ')}, got ${JSON.stringify(split)}`);
  if (cfg.capsPerImage > CAPTIONS_PER_IMAGE) {
    throw configError(`capsPerImage is ${cfg.capsPerImage}, but every synthetic bird has ${CAPTIONS_PER_IMAGE} captions`);
  }
  const { images, seed = DEFAULT_SEED, testFraction, heldoutFraction } = cfg.synth ?? ({} as Partial<SynthBirdsDatasetConfig['synth']>);
  if (!Number.isInteger(images) || images! < 1) throw configError(`synth.images must be a positive integer, got ${String(images)}`);
  const renderSize = synthRenderSize(cfg.imageSizes, cfg.resizeRatio);
  let ds;
  try {
    ds = synthBirds({
      n: images!,
      size: renderSize,
      seed,
      ...(testFraction === undefined ? {} : { testFraction }),
      ...(heldoutFraction === undefined ? {} : { heldoutFraction }),
    });
  } catch (e) {
    if (e instanceof RangeError) throw configError(e.message.replace(/^synthbirds: /, ''), e);
    throw e;
  }
  const tokensOf = (i: number) => ds.items[i]!.captions.slice(0, cfg.capsPerImage).map(tokenize);
  const vocabSplits: SynthSplit[] = ['train', 'test'];
  const warnings: string[] = [];
  let vocabTokens = vocabSplits.flatMap((s) => ds.splits[s].flatMap(tokensOf));
  if (vocabTokens.length === 0) {
    warnings.push(`no train or test images: vocabulary built from the ${split} captions`);
    vocabTokens = ds.splits[split as SynthSplit].flatMap(tokensOf);
  }
  const vocab = Vocabulary.build(vocabTokens);
  const indices = ds.splits[split as SynthSplit];
  if (indices.length === 0) {
    throw new AttncError('ATTNC_DATA_EMPTY', `synthbirds: the ${split} split has no images (${images} images, seed ${seed})`, {
      hint: split === 'heldout' ? 'raise images or heldout_fraction' : 'raise images',
    });
  }
  let unknown = 0;
  let emptyCaptions = 0;
  let dropped = 0;
  const entries: DatasetEntry[] = [];
  for (const i of indices) {
    const it = ds.items[i]!;
    const encoded = tokensOf(i).map((t) => {
      const enc = vocab.encode(t);
      unknown += enc.unknown.length;
      return enc.ids;
    });
    const { captions, captionSlots } = keepNonEmpty(encoded);
    emptyCaptions += encoded.length - captions.length;
    if (captions.length === 0) {
      dropped++;
      continue;
    }
    entries.push({ key: it.key, classId: it.classId, captions, captionSlots, image: { synth: { attributes: it.attributes, renderSeed: it.renderSeed, size: renderSize }, name: `synthbirds:${it.key}` } });
  }
  if (unknown > 0) warnings.push(`${unknown} ${split} caption word(s) do not occur in the train/test captions and were dropped`);
  if (emptyCaptions > 0) warnings.push(`${emptyCaptions} ${split} caption(s) have no word in the vocabulary and are never drawn${dropped ? `; ${dropped} image(s) without any are left out` : ''}`);
  if (entries.length === 0) throw new AttncError('ATTNC_DATA_EMPTY', `synthbirds: no ${split} image has a caption with a word in the vocabulary`);
  return { entries, vocab, renderSize, emptyCaptions, warnings };
}
