import { describe, expect, it } from 'vitest';
import {
  BEAK_LENGTHS, BODY_SIZES, COLOURS, FACINGS, NUM_CLASSES, SCENES, classDirName, classIdOf, tripleOfClassId, type BirdAttributes,
} from '../../../../runtime/data/synthbirds/attributes.js';
import { synthBirds } from '../../../../runtime/data/synthbirds/dataset.js';
import { heldoutClassIds } from '../../../../runtime/data/synthbirds/splits.js';

describe('synthbirds dataset', () => {
  const ds = synthBirds({ n: 3000, size: 32, seed: 11 });

  it('class ids follow the (wing, belly, crown) colour triple', () => {
    expect(NUM_CLASSES).toBe(COLOURS.length ** 3);
    expect(COLOURS.length).toBeGreaterThanOrEqual(8);
    for (let id = 1; id <= NUM_CLASSES; id++) {
      const [wing, belly, crown] = tripleOfClassId(id);
      expect(classIdOf({ wing, belly, crown })).toBe(id);
    }
    for (const it of ds.items.slice(0, 200)) {
      expect(it.classId).toBe(classIdOf(it.attributes));
      const a = it.attributes;
      expect(it.key).toBe(`${classDirName(it.classId)}/synth_${String(it.index).padStart(6, '0')}`);
      expect(it.key.split('/')[0]).toMatch(new RegExp(`^\\d{3}\\.${a.wing}_${a.belly}_${a.crown}$`));
    }
    // Same colours ⇒ same class, whatever else differs.
    const byClass = new Map<number, BirdAttributes>();
    for (const it of ds.items) {
      const seen = byClass.get(it.classId);
      if (seen) expect([seen.wing, seen.belly, seen.crown]).toEqual([it.attributes.wing, it.attributes.belly, it.attributes.crown]);
      byClass.set(it.classId, it.attributes);
    }
  });

  it('draws every attribute independently (uniform marginals, no pairwise association)', () => {
    const values: Record<keyof BirdAttributes, readonly string[]> = {
      wing: COLOURS, belly: COLOURS, crown: COLOURS, beak: BEAK_LENGTHS, size: BODY_SIZES, background: SCENES, facing: FACINGS,
    };
    const keys = Object.keys(values) as (keyof BirdAttributes)[];
    const n = ds.items.length;
    for (const k of keys) {
      const counts = new Map<string, number>();
      for (const it of ds.items) counts.set(it.attributes[k], (counts.get(it.attributes[k]) ?? 0) + 1);
      expect(counts.size).toBe(values[k].length);
      for (const c of counts.values()) expect(Math.abs(c / n - 1 / values[k].length)).toBeLessThan(0.03);
    }
    // Cramér's V of every pair is small (independent draws), e.g. wing colour says nothing about beak length.
    for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) {
      const a = keys[i]!, b = keys[j]!;
      const va = values[a], vb = values[b];
      const table = va.map(() => vb.map(() => 0));
      for (const it of ds.items) table[va.indexOf(it.attributes[a])]![vb.indexOf(it.attributes[b])]!++;
      const ra = table.map((r) => r.reduce((s, x) => s + x, 0));
      const cb = vb.map((_, c) => table.reduce((s, r) => s + r[c]!, 0));
      let chi2 = 0;
      table.forEach((r, x) => r.forEach((o, y) => { const e = (ra[x]! * cb[y]!) / n; chi2 += ((o - e) ** 2) / e; }));
      const v = Math.sqrt(chi2 / (n * (Math.min(va.length, vb.length) - 1)));
      expect(v, `${a} × ${b}`).toBeLessThan(0.1);
    }
  });

  it('splits: held-out colour combinations never occur in train or test; every part colour is seen in train', () => {
    const held = new Set(ds.heldoutClassIds);
    expect(ds.heldoutClassIds).toEqual(heldoutClassIds(11));
    expect(held.size).toBe(Math.round(0.1 * NUM_CLASSES));
    const trainClasses = new Set(ds.splits.train.map((i) => ds.items[i]!.classId));
    const testClasses = new Set(ds.splits.test.map((i) => ds.items[i]!.classId));
    for (const c of [...trainClasses, ...testClasses]) expect(held.has(c)).toBe(false);
    for (const i of ds.splits.heldout) expect(held.has(ds.items[i]!.classId)).toBe(true);
    expect(ds.splits.train.length + ds.splits.test.length + ds.splits.heldout.length).toBe(ds.n);
    for (const split of ['train', 'test', 'heldout'] as const) for (const i of ds.splits[split]) expect(ds.items[i]!.split).toBe(split);
    expect(ds.splits.test.length / (ds.n - ds.splits.heldout.length)).toBeCloseTo(0.1, 1);
    expect(ds.splits.heldout.length / ds.n).toBeCloseTo(0.1, 1);
    for (const part of ['wing', 'belly', 'crown'] as const) {
      for (const c of COLOURS) expect(ds.splits.train.some((i) => ds.items[i]!.attributes[part] === c)).toBe(true);
    }
    // Another seed holds out other combinations.
    expect(heldoutClassIds(12)).not.toEqual(ds.heldoutClassIds);
  });

  it('honours the split fractions', () => {
    const none = synthBirds({ n: 300, size: 32, seed: 1, testFraction: 0, heldoutFraction: 0 });
    expect(none.splits.train).toHaveLength(300);
    const more = synthBirds({ n: 1000, size: 32, seed: 1, testFraction: 0.5, heldoutFraction: 0.3 });
    expect(more.heldoutClassIds).toHaveLength(Math.round(0.3 * NUM_CLASSES));
    expect(Math.abs(more.splits.heldout.length / 1000 - 0.3)).toBeLessThan(0.06);
    expect(Math.abs(more.splits.test.length / (1000 - more.splits.heldout.length) - 0.5)).toBeLessThan(0.08);
    expect(() => synthBirds({ n: 5, heldoutFraction: 0.6 })).toThrow(RangeError);
    expect(() => synthBirds({ n: 5, testFraction: -0.1 })).toThrow(RangeError);
  });

  it('is deterministic and renders on demand', () => {
    const again = synthBirds({ n: 50, size: 32, seed: 11 });
    expect(again.items).toEqual(ds.items.slice(0, 50));
    expect(Buffer.from(again.render(7).rgb).equals(Buffer.from(ds.render(7).rgb))).toBe(true);
    const other = synthBirds({ n: 50, size: 32, seed: 12 });
    expect(other.items.map((i) => i.key)).not.toEqual(again.items.map((i) => i.key));
    // renderInto: the same bytes, scaled to [-1, 1].
    const img = ds.render(3, 48);
    const buf = new Float32Array(5 + 48 * 48 * 3);
    expect(ds.renderInto(3, buf, 5, 48)).toEqual(img.bbox);
    for (let k = 0; k < img.rgb.length; k += 97) expect(buf[5 + k]).toBeCloseTo(img.rgb[k]! / 127.5 - 1, 6);
    expect(() => ds.render(3000)).toThrow(RangeError);
    expect(() => synthBirds({ n: 5, size: 16 })).toThrow(RangeError);
  });
});
