import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaptionsPickle, writeCaptionsPickle } from '../../../runtime/data/metadata.js';
import { readPickle } from '../../../runtime/io/pickle.js';
import { Vocabulary } from '../../../runtime/data/vocab.js';
import { FIXTURES } from './make-fixtures.js';

describe('Vocabulary', () => {
  it('builds sorted, deterministic, <end> = 0, from all captions', () => {
    const v = Vocabulary.build([['the', 'bird'], ['a', 'bird', 'zebra'], ['2nd', 'Big']]);
    expect(v.ixToWord).toEqual(['<end>', '2nd', 'Big', 'a', 'bird', 'the', 'zebra']);
    expect(v.size).toBe(7);
    expect(v.wordToIx.get('bird')).toBe(4);
    expect(Vocabulary.build([['zebra', 'a'], ['bird']]).ixToWord).toEqual(Vocabulary.build([['bird'], ['a', 'zebra']]).ixToWord);
  });

  it('encodes known words and reports (and drops) unknown ones', () => {
    const v = Vocabulary.build([['a', 'bird']]);
    expect(v.encode(['a', 'red', 'bird'])).toEqual({ ids: [1, 2], unknown: ['red'] });
    expect(v.decode([1, 2, 0, 0])).toEqual(['a', 'bird']);
  });

  it('round-trips through JSON and rejects malformed JSON vocabularies', () => {
    const v = Vocabulary.build([['a', 'bird']]);
    expect(Vocabulary.fromJSON(JSON.parse(JSON.stringify(v))).ixToWord).toEqual(v.ixToWord);
    expect(() => Vocabulary.fromJSON({ words: ['a'] }, 'v.json')).toThrow(/v\.json: not an attnc vocabulary/);
    expect(() => Vocabulary.fromJSON({ format: 'attnc-vocab', version: 1, words: ['a'] }, 'v.json')).toThrow(/id 0 must be '<end>'/);
    expect(() => Vocabulary.fromJSON({ format: 'attnc-vocab', version: 1, words: ['<end>', 'a', 'a'] }, 'v.json')).toThrow(/two ids/);
  });

  it('uses the ids of a Python-written captions.pickle exactly (not rebuilt, not sorted)', () => {
    const file = path.join(FIXTURES, 'cub-py', 'captions.pickle');
    const p = parseCaptionsPickle(readPickle(fs.readFileSync(file), file), file);
    expect(p.vocab.ixToWord[0]).toBe('<end>');
    // first-appearance order from make_pickles.py: "a bird with a very long caption ..."
    expect(p.vocab.ixToWord.slice(1, 5)).toEqual(['a', 'bird', 'with', 'very']);
    expect(p.train).toHaveLength(30);
    expect(p.test).toHaveLength(20);
  });

  it('writes a captions.pickle that reads back identically (ixtoword with int keys)', () => {
    const vocab = Vocabulary.build([['a', 'bird'], ['red']]);
    const bytes = writeCaptionsPickle({ train: [[1, 2]], test: [[3]], vocab });
    const value = readPickle(bytes) as unknown[];
    expect(value[2]).toEqual({ 0: '<end>', 1: 'a', 2: 'bird', 3: 'red' });
    expect(value[3]).toEqual({ '<end>': 0, a: 1, bird: 2, red: 3 });
    const back = parseCaptionsPickle(readPickle(bytes));
    expect(back.vocab.ixToWord).toEqual(vocab.ixToWord);
    expect(back.train).toEqual([[1, 2]]);
  });

  it('rejects inconsistent ixtoword / wordtoix', () => {
    expect(() => Vocabulary.fromCaptionsPickle([[], [], { 0: '<end>', 1: 'a' }, { '<end>': 0, a: 2 }], 'c.pickle')).toThrow(
      /c\.pickle: wordtoix\["a"\] is 2, ixtoword says 1/,
    );
    expect(() => Vocabulary.fromCaptionsPickle({}, 'c.pickle')).toThrow(/c\.pickle: not a 4-element list/);
  });
});
