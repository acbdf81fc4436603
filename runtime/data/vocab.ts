import { AttncError } from '../util/errors.js';
import type { PickleValue } from '../io/pickle.js';

export const END_TOKEN = '<end>';

export interface VocabularyJSON {
  format: 'attnc-vocab';
  version: 1;
  /** `words[i]` is the word with id i; `words[0]` is '<end>' (padding / end). */
  words: string[];
}

/**
 * Word ↔ id table. Id 0 is '<end>', which is also the padding id. Out-of-vocabulary words are
 * dropped when encoding (the original has no <unk>), and reported back so callers can count them.
 */
export class Vocabulary {
  readonly wordToIx: ReadonlyMap<string, number>;
  readonly ixToWord: readonly string[];

  constructor(ixToWord: readonly string[], source = 'vocabulary') {
    if (ixToWord[0] !== END_TOKEN) {
      throw new AttncError('ATTNC_DATA_VOCAB', `${source}: id 0 must be '${END_TOKEN}', found ${JSON.stringify(ixToWord[0])}`);
    }
    const map = new Map<string, number>();
    ixToWord.forEach((w, i) => {
      if (typeof w !== 'string') throw new AttncError('ATTNC_DATA_VOCAB', `${source}: id ${i} is not a word`);
      if (map.has(w)) throw new AttncError('ATTNC_DATA_VOCAB', `${source}: word ${JSON.stringify(w)} has two ids (${map.get(w)} and ${i})`);
      map.set(w, i);
    });
    this.ixToWord = Object.freeze([...ixToWord]);
    this.wordToIx = map;
  }

  get size(): number {
    return this.ixToWord.length;
  }

  /** The same words with the same ids (a checkpoint's vocabulary against a dataset's, two models'). */
  equals(other: Vocabulary): boolean {
    return other.size === this.size && other.ixToWord.every((w, i) => w === this.ixToWord[i]);
  }

  encode(tokens: readonly string[]): { ids: number[]; unknown: string[] } {
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const t of tokens) {
      const id = this.wordToIx.get(t);
      if (id === undefined) unknown.push(t);
      else ids.push(id);
    }
    return { ids, unknown };
  }

  decode(ids: readonly number[]): string[] {
    return ids.filter((i) => i !== 0).map((i) => this.ixToWord[i] ?? `<${i}?>`);
  }

  /**
   * Every word of every caption (train + test, like the original; no min count), sorted by code
   * point so the result is reproducible — the original used Python 2 dict order, which is not.
   */
  static build(captionsTokens: readonly (readonly string[])[]): Vocabulary {
    const words = new Set<string>();
    for (const caption of captionsTokens) for (const t of caption) words.add(t);
    words.delete(END_TOKEN);
    const sorted = [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return new Vocabulary([END_TOKEN, ...sorted], 'built vocabulary');
  }

  toJSON(): VocabularyJSON {
    return { format: 'attnc-vocab', version: 1, words: [...this.ixToWord] };
  }

  static fromJSON(json: unknown, source = 'vocab.json'): Vocabulary {
    const j = json as Partial<VocabularyJSON> | null;
    if (!j || typeof j !== 'object' || j.format !== 'attnc-vocab' || j.version !== 1 || !Array.isArray(j.words)) {
      throw new AttncError('ATTNC_DATA_VOCAB', `${source}: not an attnc vocabulary (expected {"format":"attnc-vocab","version":1,"words":[...]})`, {
        path: source,
      });
    }
    return new Vocabulary(j.words, source);
  }

  /**
   * The vocabulary of an AttnGAN `captions.pickle` (`[train_caps, test_caps, ixtoword, wordtoix]`),
   * used exactly: released text encoders index their embedding by these ids. `ixtoword` and
   * `wordtoix` must agree and cover ids 0..n-1.
   */
  static fromCaptionsPickle(value: PickleValue, file = 'captions.pickle'): Vocabulary {
    const bad = (msg: string): never => {
      throw new AttncError('ATTNC_DATA_VOCAB', `${file}: ${msg}`, {
        path: file,
        hint: 'expected the AttnGAN layout [train_captions, test_captions, ixtoword, wordtoix]',
      });
    };
    if (!Array.isArray(value) || value.length !== 4) bad('not a 4-element list');
    const [, , ixtoword, wordtoix] = value as PickleValue[];
    const isDict = (v: PickleValue | undefined): v is { [k: string]: PickleValue } =>
      !!v && typeof v === 'object' && !Array.isArray(v);
    if (!isDict(ixtoword)) return bad('ixtoword (item 3) is not a dict');
    if (!isDict(wordtoix)) return bad('wordtoix (item 4) is not a dict');
    const n = Object.keys(ixtoword).length;
    const words: string[] = new Array<string>(n);
    for (const [k, w] of Object.entries(ixtoword)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= n) bad(`ixtoword has id ${k} outside 0..${n - 1}`);
      if (typeof w !== 'string') bad(`ixtoword[${k}] is not a string`);
      words[i] = w as string;
    }
    if (Object.keys(wordtoix).length !== n) bad(`ixtoword has ${n} entries but wordtoix has ${Object.keys(wordtoix).length}`);
    for (let i = 0; i < n; i++) {
      if (wordtoix[words[i]!] !== i) bad(`wordtoix[${JSON.stringify(words[i])}] is ${String(wordtoix[words[i]!])}, ixtoword says ${i}`);
    }
    return new Vocabulary(words, file);
  }
}

/**
 * The captions of one image that kept at least one word after encoding, and where they sit among
 * its captions: an empty one would be a zero-length row in a batch.
 */
export function keepNonEmpty(caps: readonly number[][]): { captions: number[][]; captionSlots: number[] } {
  const captions: number[][] = [];
  const captionSlots: number[] = [];
  caps.forEach((c, j) => {
    if (c.length > 0) {
      captions.push(c);
      captionSlots.push(j);
    }
  });
  return { captions, captionSlots };
}
