import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaptionsPickle } from '../../../runtime/data/metadata.js';
import { readPickle } from '../../../runtime/io/pickle.js';
import { parseCaptionFile, tokenize } from '../../../runtime/data/tokenizer.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { FIXTURES } from './make-fixtures.js';

describe('tokenize (AttnGAN load_captions)', () => {
  it('lower-cases, keeps \\w+ runs, drops punctuation', () => {
    expect(tokenize('This bird has a RED crown, and white-ish wings.')).toEqual(['this', 'bird', 'has', 'a', 'red', 'crown', 'and', 'white', 'ish', 'wings']);
    expect(tokenize('a 2nd_toe!')).toEqual(['a', '2nd_toe']);
  });

  it('replaces U+FFFD U+FFFD by a space and strips non-ASCII from each token', () => {
    expect(tokenize('black\uFFFD\uFFFDwings')).toEqual(['black', 'wings']);
    // a single U+FFFD is not a word character: it just separates
    expect(tokenize('black\uFFFDwings')).toEqual(['black', 'wings']);
    // unicode \w keeps "naïve" one token, then the ï is removed
    expect(tokenize('Naïve CAFÉ')).toEqual(['nave', 'caf']);
    expect(tokenize('über ñ')).toEqual(['ber']);
  });

  it('returns nothing for punctuation-only text', () => {
    expect(tokenize('... !!! --')).toEqual([]);
  });
});

describe('parseCaptionFile', () => {
  it('skips blank and word-less lines and keeps the first N captions', () => {
    expect(parseCaptionFile('a b\n\n...\nc d\ne f\n', 2, 'x.txt')).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('names the file when it is empty or short', () => {
    const err = (() => {
      try {
        parseCaptionFile('\n\n', 10, 'text/a.txt');
      } catch (e) {
        return e as AttncError;
      }
    })();
    expect(err).toBeInstanceOf(AttncError);
    expect(err!.code).toBe('ATTNC_DATA_CAPTIONS');
    expect(err!.message).toBe('text/a.txt: caption file is empty (expected 10 captions, one per line)');
    expect(() => parseCaptionFile('a\nb\n', 3, 'text/b.txt')).toThrow('text/b.txt: only 2 caption(s), expected 3');
  });

  it('matches the Python tokenisation used to write cub-py/captions.pickle', () => {
    const root = path.join(FIXTURES, 'cub-py');
    const pickleFile = path.join(root, 'captions.pickle');
    const p = parseCaptionsPickle(readPickle(fs.readFileSync(pickleFile), pickleFile), pickleFile);
    const keys = readPickle(fs.readFileSync(path.join(root, 'train', 'filenames.pickle'))) as string[];
    keys.forEach((key, i) => {
      const caps = parseCaptionFile(fs.readFileSync(path.join(root, 'text', `${key}.txt`), 'utf8'), 10, key);
      caps.forEach((tokens, j) => {
        expect(p.vocab.encode(tokens)).toEqual({ ids: p.train[i * 10 + j], unknown: [] });
      });
    });
  });
});
