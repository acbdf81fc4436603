import {
  BEAK_LENGTHS, CAPTION_ATTRIBUTES, COLOURS, SCENES,
  type BeakLength, type BirdAttributes, type BodySize, type CaptionAttribute, type ColourName, type ColourPart, type Scene,
} from './attributes.js';
import { tokenize } from '../tokenizer.js';
import { Rng } from '../../util/rng.js';

/**
 * CUB-style captions from a small template grammar. Each caption mentions 2–4 true attributes, with
 * synonyms and varied word order, and stays within AttnGAN's WORDS_NUM (18) so no word is dropped.
 * `parseCaption` inverts the grammar, which is how tests (and evaluation code) check a caption.
 */

export const CAPTIONS_PER_IMAGE = 10;
export const MAX_CAPTION_WORDS = 18;

const PART_NOUNS: Record<ColourPart, readonly string[]> = {
  wing: ['wings'],
  belly: ['belly', 'breast', 'chest'],
  crown: ['crown', 'head'],
};
const BEAK_NOUNS = ['beak', 'bill'] as const;
const SIZE_WORDS: Record<BodySize, readonly string[]> = {
  small: ['small', 'little', 'tiny'],
  medium: ['medium sized'],
  large: ['large', 'big'],
};
const SCENE_PHRASES: Record<Scene, readonly string[]> = {
  sky: ['against the sky', 'under a clear sky'],
  forest: ['in the forest', 'in the trees'],
  water: ['near the water', 'by the lake'],
  sunset: ['at sunset', 'in front of a sunset'],
  grass: ['in the grass', 'on a grassy field'],
};
const PERCH_VERBS = ['perched', 'sitting', 'standing'] as const;
const DETERMINERS = ['a', 'this', 'the'] as const;

/** Weights for which attributes a caption mentions: colours (the class) most often. */
const MENTION_WEIGHT: Record<CaptionAttribute, number> = { wing: 3, belly: 3, crown: 3, beak: 2, size: 2, background: 1.5 };

function isPlural(part: ColourPart): boolean {
  return part === 'wing';
}

/** "black wings" | "wings that are black" | "a white belly" | "a belly that is white". */
function colourNp(rng: Rng, part: ColourPart, colour: ColourName): string {
  const noun = rng.pick(PART_NOUNS[part]);
  const plural = isPlural(part);
  if (rng.chance(0.6)) return plural ? `${colour} ${noun}` : `a ${colour} ${noun}`;
  return plural ? `${noun} that are ${colour}` : `a ${noun} that is ${colour}`;
}

function beakNp(rng: Rng, len: BeakLength): string {
  const noun = rng.pick(BEAK_NOUNS);
  if (len === 'medium') return rng.chance(0.6) ? `a medium length ${noun}` : `a ${noun} of medium length`;
  return rng.chance(0.6) ? `a ${len} ${noun}` : `a ${noun} that is ${len}`;
}

/** "its wings are black", "the belly is white", "its bill is long". */
function clause(rng: Rng, attr: 'wing' | 'belly' | 'crown' | 'beak', a: BirdAttributes): string {
  const det = rng.pick(['its', 'the'] as const);
  if (attr === 'beak') {
    const noun = rng.pick(BEAK_NOUNS);
    return a.beak === 'medium' ? `${det} ${noun} is of medium length` : `${det} ${noun} is ${a.beak}`;
  }
  const noun = rng.pick(PART_NOUNS[attr]);
  return `${det} ${noun} ${isPlural(attr) ? 'are' : 'is'} ${a[attr]}`;
}

function subject(rng: Rng, size: BodySize | undefined): string {
  const det = rng.pick(DETERMINERS);
  return size === undefined ? `${det} bird` : `${det} ${rng.pick(SIZE_WORDS[size])} bird`;
}

function scenePp(rng: Rng, scene: Scene, withVerb: boolean): string {
  const pp = rng.pick(SCENE_PHRASES[scene]);
  return withVerb ? `${rng.pick(PERCH_VERBS)} ${pp}` : pp;
}

function joinList(items: string[], rng: Rng, repeatHas: boolean): string {
  if (items.length === 1) return items[0]!;
  if (repeatHas && items.length === 2) return `${items[0]} and has ${items[1]}`;
  // Commas vanish in tokenisation, so "a head that is blue, wings that are brown" would read as
  // "blue wings": an item that starts without an article is always joined with "and".
  const comma = rng.chance(0.5);
  let out = items[0]!;
  for (let i = 1; i < items.length; i++) {
    const last = i === items.length - 1;
    out += last || !comma || !items[i]!.startsWith('a ') ? ` and ${items[i]}` : `, ${items[i]}`;
  }
  return out;
}

const MENTION_TOTAL = CAPTION_ATTRIBUTES.reduce((t, a) => t + MENTION_WEIGHT[a], 0);

/** 2–4 distinct attributes, drawn by weight without replacement. */
function chooseMentions(rng: Rng): CaptionAttribute[] {
  const r = rng.next();
  const k = r < 0.35 ? 2 : r < 0.75 ? 3 : 4;
  const chosen: CaptionAttribute[] = [];
  let taken = 0; // bitmask over CAPTION_ATTRIBUTES
  let total = MENTION_TOTAL;
  while (chosen.length < k) {
    let x = rng.next() * total;
    let idx = 0;
    for (; idx < CAPTION_ATTRIBUTES.length - 1; idx++) {
      if (taken & (1 << idx)) continue;
      const w = MENTION_WEIGHT[CAPTION_ATTRIBUTES[idx]!];
      if (x < w) break;
      x -= w;
    }
    // Rounding can run past the last free slot; step back to a free one.
    while (taken & (1 << idx)) idx--;
    taken |= 1 << idx;
    total -= MENTION_WEIGHT[CAPTION_ATTRIBUTES[idx]!];
    chosen.push(CAPTION_ATTRIBUTES[idx]!);
  }
  return chosen;
}

/** One caption mentioning exactly the attributes in `mentions` (word order and phrasing from rng). */
export function captionFor(a: BirdAttributes, mentions: readonly CaptionAttribute[], rng: Rng): string {
  const parts = rng.shuffle(mentions.filter((m): m is 'wing' | 'belly' | 'crown' | 'beak' => m !== 'size' && m !== 'background'));
  const size = mentions.includes('size') ? a.size : undefined;
  const scene = mentions.includes('background') ? a.background : undefined;
  const nps = parts.map((p) => (p === 'beak' ? beakNp(rng, a.beak) : colourNp(rng, p, a[p])));

  if (nps.length === 0) {
    // Only size and scene: "a little bird sitting in the grass".
    return `${subject(rng, size)} ${scenePp(rng, scene!, rng.chance(0.6))}`;
  }
  const subj = subject(rng, size);
  const t = rng.int(6);
  switch (t) {
    case 0: // this bird has wings that are black and has a white belly
      return [subj, 'has', joinList(nps, rng, true), scene ? scenePp(rng, scene, false) : ''].filter(Boolean).join(' ');
    case 1: // a small bird with a red crown and a short beak
      return [subj, 'with', joinList(nps, rng, false), scene ? scenePp(rng, scene, rng.chance(0.5)) : ''].filter(Boolean).join(' ');
    case 2: // a bird perched in the trees with black wings
      if (scene) return `${subj} ${scenePp(rng, scene, true)} with ${joinList(nps, rng, false)}`;
      return `${subj} has ${joinList(nps, rng, false)}`;
    case 3: // at sunset this bird has ...
      if (scene) return `${scenePp(rng, scene, false)} ${subj} has ${joinList(nps, rng, false)}`;
      return `${joinList(nps, rng, false)} on ${subj.replace(/^(a|the) /, 'this ')}`;
    case 4: { // its wings are black and the belly is white
      const clauses = parts.map((p) => clause(rng, p, a));
      const lead = size !== undefined ? [`${rng.pick(['this', 'the'] as const)} bird is ${rng.pick(SIZE_WORDS[size])}`] : [];
      const all = [...lead, ...clauses];
      const body = all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all[all.length - 1]}`;
      return scene ? `${body} ${scenePp(rng, scene, false)}` : body;
    }
    default: { // this bird has a long bill, and its wings are grey
      if (parts.length < 2) return [subj, 'has', joinList(nps, rng, false), scene ? scenePp(rng, scene, false) : ''].filter(Boolean).join(' ');
      const last = parts[parts.length - 1]!;
      return [subj, scene ? scenePp(rng, scene, true) : '', 'has', joinList(nps.slice(0, -1), rng, false), 'and', clause(rng, last, a)].filter(Boolean).join(' ');
    }
  }
}

// The loader's tokenizer (AttnGAN's `load_captions`): on the grammar's plain-ASCII captions it gives
// exactly the words the old local `[a-z0-9_]+` split gave; re-exported for existing importers.
export { tokenize };

/** Words in a generated caption (single spaces between words, commas glued to the word before). */
function wordCount(caption: string): number {
  let n = 1;
  for (let i = 0; i < caption.length; i++) if (caption.charCodeAt(i) === 32) n++;
  return n;
}

/** The 10 captions of one image: each mentions 2–4 true attributes and at most MAX_CAPTION_WORDS words. */
export function makeCaptions(a: BirdAttributes, seed: number, count = CAPTIONS_PER_IMAGE): string[] {
  const rng = Rng.stream(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let caption = '';
    // Prefer captions that are new for this image and fit WORDS_NUM; a few retries always suffice.
    for (let attempt = 0; attempt < 20; attempt++) {
      caption = captionFor(a, chooseMentions(rng), rng);
      if (wordCount(caption) <= MAX_CAPTION_WORDS && !out.includes(caption)) break;
    }
    if (wordCount(caption) > MAX_CAPTION_WORDS) caption = captionFor(a, ['wing', 'belly'], rng);
    out.push(caption);
  }
  return out;
}

/** Every word the grammar can produce, sorted (the vocabulary is small and closed). */
export function grammarVocabulary(): string[] {
  const words = new Set<string>([
    ...COLOURS, ...Object.values(PART_NOUNS).flat(), ...BEAK_NOUNS, ...BEAK_LENGTHS, 'length', 'of',
    ...Object.values(SIZE_WORDS).flat().flatMap((w) => w.split(' ')), ...Object.values(SCENE_PHRASES).flat().flatMap((p) => p.split(' ')),
    ...PERCH_VERBS, ...DETERMINERS, 'bird', 'has', 'with', 'and', 'that', 'is', 'are', 'its', 'on',
  ]);
  return [...words].sort();
}

export interface ParsedCaption {
  /** Attribute values the caption states. */
  attributes: Partial<Pick<BirdAttributes, CaptionAttribute>>;
  /** Attributes stated more than once with different values (never produced by the grammar). */
  conflicts: CaptionAttribute[];
  /** Attribute words the parser could not attach to a noun. */
  unattached: string[];
  /** Every attribute word it attached, by token position (`index` into the caption's words). */
  mentions: CaptionMention[];
}

/** One attribute word of a caption: "red" (index 3) states wing = red. */
export interface CaptionMention {
  index: number;
  attribute: CaptionAttribute;
  value: string;
}

const NOUN_OF: Record<string, ColourPart | 'beak' | 'bird'> = { bird: 'bird', beak: 'beak', bill: 'beak' };
for (const [part, nouns] of Object.entries(PART_NOUNS)) for (const n of nouns) NOUN_OF[n] = part as ColourPart;
const SIZE_OF: Record<string, BodySize> = {};
for (const [size, words] of Object.entries(SIZE_WORDS)) for (const w of words) SIZE_OF[w.split(' ')[0]!] = size as BodySize;
const COLOUR_SET = new Set<string>(COLOURS);
const SKIPPABLE = new Set(['length', 'sized']);

/**
 * Read a caption back into attributes. A modifier attaches to the noun right after it
 * ("red crown", "medium length bill", "small bird") or to the noun before "is/are" ("wings that are
 * black", "its bill is long", "bill of medium length", "this bird is small").
 */
export function parseCaption(caption: string): ParsedCaption {
  return parseWords(tokenize(caption));
}

/** `parseCaption` of a caption already split into words (e.g. a model's decoded token ids). */
export function parseWords(tok: readonly string[]): ParsedCaption {
  const attributes: ParsedCaption['attributes'] = {};
  const conflicts = new Set<CaptionAttribute>();
  const unattached: string[] = [];
  const mentions: CaptionMention[] = [];
  let at = 0; // the word being read, for `mentions`
  const set = <K extends CaptionAttribute>(k: K, v: BirdAttributes[K]) => {
    if (attributes[k] !== undefined && attributes[k] !== v) conflicts.add(k);
    attributes[k] = v;
    mentions.push({ index: at, attribute: k, value: v });
  };
  const nounAt = (i: number) => (i >= 0 && i < tok.length ? NOUN_OF[tok[i]!] : undefined);
  const attach = (i: number): ColourPart | 'beak' | 'bird' | undefined => {
    let j = i + 1;
    while (j < tok.length && SKIPPABLE.has(tok[j]!)) j++;
    const after = nounAt(j);
    if (after) return after;
    let k = i - 1;
    const of = tok[k] === 'of'; // "bill of medium length", "bill is of medium length"
    if (of) k--;
    const copula = tok[k] === 'is' || tok[k] === 'are';
    if (copula) {
      k--;
      if (tok[k] === 'that') k--;
    }
    return of || copula ? nounAt(k) : undefined;
  };
  for (let i = 0; i < tok.length; i++) {
    const w = tok[i]!;
    at = i;
    if (COLOUR_SET.has(w)) {
      const n = attach(i);
      if (n === 'wing' || n === 'belly' || n === 'crown') set(n, w as ColourName);
      else unattached.push(w);
    } else if (w === 'short' || w === 'long') {
      if (attach(i) === 'beak') set('beak', w);
      else unattached.push(w);
    } else if (w === 'medium') {
      const next = tok[i + 1];
      const n = attach(i);
      if (next === 'length' && n === 'beak') set('beak', 'medium');
      else if (next === 'sized' && n === 'bird') set('size', 'medium');
      else if (tok[i - 1] === 'of' && n === 'beak') set('beak', 'medium');
      else unattached.push(w);
    } else if (SIZE_OF[w] !== undefined && w !== 'medium') {
      if (attach(i) === 'bird') set('size', SIZE_OF[w]!);
      else unattached.push(w);
    }
  }
  const text = ` ${tok.join(' ')} `;
  for (const scene of SCENES) {
    for (const phrase of SCENE_PHRASES[scene]) {
      const found = text.indexOf(` ${phrase} `);
      if (found < 0) continue;
      at = text.slice(0, found + 1).split(' ').length - 2; // the phrase's first word
      set('background', scene);
    }
  }
  return { attributes, conflicts: [...conflicts], unattached, mentions };
}

