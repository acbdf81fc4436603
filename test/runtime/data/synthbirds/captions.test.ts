import { describe, expect, it } from 'vitest';
import { CAPTION_ATTRIBUTES, sampleAttributes } from '../../../../runtime/data/synthbirds/attributes.js';
import { CAPTIONS_PER_IMAGE, MAX_CAPTION_WORDS, grammarVocabulary, makeCaptions, parseCaption, tokenize } from '../../../../runtime/data/synthbirds/captions.js';
import { Rng } from '../../../../runtime/util/rng.js';

describe('synthbirds captions', () => {
  it('gives 10 captions per image, deterministic in the seed', () => {
    const a = sampleAttributes(Rng.stream(3));
    const caps = makeCaptions(a, 77);
    expect(caps).toHaveLength(CAPTIONS_PER_IMAGE);
    expect(makeCaptions({ ...a }, 77)).toEqual(caps);
    expect(makeCaptions(a, 78)).not.toEqual(caps);
    expect(new Set(caps).size).toBeGreaterThanOrEqual(8);
  });

  it('mentions 2–4 true attributes in every caption and never a false one (parsed back)', () => {
    const mentioned = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < 300; i++) {
      const a = sampleAttributes(Rng.stream(1000 + i));
      for (const c of makeCaptions(a, i)) {
        const p = parseCaption(c);
        const keys = Object.keys(p.attributes) as (keyof typeof p.attributes)[];
        if (p.conflicts.length || p.unattached.length) problems.push(`unparsed: ${c} ${JSON.stringify(p)}`);
        if (keys.length < 2 || keys.length > 4) problems.push(`mentions ${keys.length}: ${c}`);
        for (const k of keys) if (p.attributes[k] !== a[k]) problems.push(`false ${k}: ${c} (truth ${a[k]})`);
        keys.forEach((k) => mentioned.set(k, (mentioned.get(k) ?? 0) + 1));
      }
    }
    expect(problems).toEqual([]);
    // Every captioned attribute gets mentioned; facing never is (AttnGAN flips images).
    for (const k of CAPTION_ATTRIBUTES) expect(mentioned.get(k) ?? 0).toBeGreaterThan(150);
    expect(mentioned.has('facing')).toBe(false);
  });

  it('parses the examples from the brief', () => {
    expect(parseCaption('this bird has wings that are black and has a white belly').attributes).toEqual({ wing: 'black', belly: 'white' });
    expect(parseCaption('a small bird with a red crown and a short beak').attributes).toEqual({ size: 'small', crown: 'red', beak: 'short' });
    expect(parseCaption('its bill is of medium length and the bird is big').attributes).toEqual({ beak: 'medium', size: 'large' });
    expect(parseCaption('a red bird').unattached).toEqual(['red']);
  });

  it('says at which word each attribute is stated (the attention metric scores that word)', () => {
    const words = tokenize('the bird is tiny, its bill is short and the wings are red');
    const m = parseCaption(words.join(' ')).mentions;
    expect(m).toEqual([
      { index: 3, attribute: 'size', value: 'small' },
      { index: 7, attribute: 'beak', value: 'short' },
      { index: 12, attribute: 'wing', value: 'red' },
    ]);
    for (const { index, value } of m.filter((x) => x.attribute === 'wing')) expect(words[index]).toBe(value);
    // on every grammar caption, a colour mention points at that colour word
    for (let i = 0; i < 100; i++) {
      const a = sampleAttributes(Rng.stream(5000 + i));
      for (const c of makeCaptions(a, i)) {
        const tok = tokenize(c);
        for (const x of parseCaption(c).mentions) if (x.attribute === 'wing' || x.attribute === 'belly' || x.attribute === 'crown') expect(tok[x.index]).toBe(x.value);
      }
    }
  });

  it('uses word order and synonyms, a small closed vocabulary, lower-case ASCII, within WORDS_NUM', () => {
    const words = new Set<string>();
    const openings = new Set<string>();
    for (let i = 0; i < 300; i++) {
      for (const c of makeCaptions(sampleAttributes(Rng.stream(i)), i)) {
        expect(c).toMatch(/^[a-z ,]+$/);
        const t = tokenize(c);
        expect(t.length).toBeLessThanOrEqual(MAX_CAPTION_WORDS);
        t.forEach((w) => words.add(w));
        openings.add(t.slice(0, 2).join(' '));
      }
    }
    const vocab = grammarVocabulary();
    expect([...words].every((w) => vocab.includes(w))).toBe(true);
    expect(words.size).toBe(vocab.length);
    expect(vocab.length).toBeLessThan(80);
    for (const syn of ['belly', 'breast', 'chest', 'crown', 'head', 'beak', 'bill', 'small', 'little', 'big', 'large']) expect(words.has(syn)).toBe(true);
    expect(openings.size).toBeGreaterThan(15);
  });
});
