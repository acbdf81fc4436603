import type { Vocabulary } from '../vocab.js';
import { parseWords } from './captions.js';
import { PARTS } from './render.js';

/** The attributes that belong to a part of the bird (size and scene words name none). */
const NAMED_PARTS = ['wing', 'belly', 'crown', 'beak'] as const;

/**
 * The part each word of a caption names, read by the caption grammar's parser: "red" in
 * "a red crown" → crown, "long" in "a long beak" → beak (`PARTS` index); −1 for every other word
 * (size and scene words too, though the masks have a background). `ids`: the whole caption, as
 * written (the parser needs every word to attach a modifier to its noun). Training data, as the part
 * masks are: the generator never sees it.
 */
export function captionWordParts(ids: readonly number[], vocab: Vocabulary): Int32Array {
  const out = new Int32Array(ids.length).fill(-1);
  for (const m of parseWords(vocab.decode(ids)).mentions) {
    if ((NAMED_PARTS as readonly string[]).includes(m.attribute) && m.index < ids.length) out[m.index] = PARTS.indexOf(m.attribute as (typeof NAMED_PARTS)[number]);
  }
  return out;
}
