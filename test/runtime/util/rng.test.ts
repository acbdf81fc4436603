import { describe, expect, it } from 'vitest';
import { Rng, hash32 } from '../../../runtime/util/rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xa);
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('fork depends on the key and label, not on draws made before', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    for (let i = 0; i < 10; i++) b.next();
    expect(a.fork('w').next()).toBe(b.fork('w').next());
    expect(a.fork('w').next()).not.toBe(a.fork('v').next());
  });

  it('normal() has mean ≈ 0 and std ≈ 1', () => {
    const r = new Rng(3);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.03);
  });

  it('integer streams: fork continues the hash32 chain and is independent of draws', () => {
    const root = Rng.stream(hash32(9));
    const a = root.fork(4).fork(2);
    const b = Rng.stream(hash32(9, 4, 2));
    expect(Array.from({ length: 4 }, () => a.uint32())).toEqual(Array.from({ length: 4 }, () => b.uint32()));
    const c = Rng.stream(7);
    const d = Rng.stream(7);
    d.next();
    expect(c.fork('x').next()).toBe(d.fork('x').next());
    expect(c.fork('x').next()).not.toBe(c.fork('y').next());
    expect(c.key).toBe('stream:7');
  });

  it('int, pick and shuffle stay in range; the keyed and integer streams share one interface', () => {
    for (const r of [new Rng('k'), Rng.stream(3)]) {
      for (let i = 0; i < 200; i++) {
        const k = r.int(5);
        expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true);
      }
      expect([1, 2, 3]).toContain(r.pick([1, 2, 3]));
      expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    }
  });
});
