/** The built-in synthetic birds dataset (`attnc data synth`); see docs/synthbirds.md. */
export {
  COLOURS, PALETTE, BEAK_LENGTHS, BODY_SIZES, SCENES, FACINGS, CAPTION_ATTRIBUTES, COLOUR_PARTS, NUM_CLASSES,
  sampleAttributes, classIdOf, tripleOfClassId, classDirName,
} from './attributes.js';
export type { BirdAttributes, ColourName, BeakLength, BodySize, Scene, Facing, CaptionAttribute, ColourPart, ColourTriple } from './attributes.js';
export { renderBird, renderBirdCanvas, renderBirdWithMasks, PARTS, MIN_SIZE, MAX_SIZE } from './render.js';
export type { Part, PartMasks } from './render.js';
export type { RenderedBird } from './render.js';
export { makeCaptions, parseCaption, parseWords, tokenize, grammarVocabulary, CAPTIONS_PER_IMAGE, MAX_CAPTION_WORDS } from './captions.js';
export type { ParsedCaption, CaptionMention } from './captions.js';
export { SPLITS, heldoutClassIds, heldoutCombos, splitOf, DEFAULT_TEST_FRACTION, DEFAULT_HELDOUT_FRACTION } from './splits.js';
export type { SynthSplit } from './splits.js';
export { synthBirds, synthItemKey, DEFAULT_SEED, DEFAULT_SIZE } from './dataset.js';
export type { SynthBirds, SynthBirdsOptions, SynthBirdItem } from './dataset.js';
export { writeSynthBirds, MANIFEST_FILE, PREVIEW_COUNT } from './write.js';
export type { WriteSynthBirdsOptions, WriteSynthBirdsResult, SynthAttributesRecord } from './write.js';
export { Rng, hash32 } from '../../util/rng.js';
export { readSynthAttributes } from './labels.js';
export { captionWordParts } from './word-parts.js';
