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

  it('fillNormal (ziggurat) matches the normal CDF, tails included, and continues the stream deterministically', () => {
    const n = 1 << 20;
    const x = new Rng(9).fillNormal(new Float64Array(n));
    const cdf: Array<[number, number]> = [
      [-3, 0.0013499],
      [-2, 0.0227501],
      [-1, 0.1586553],
      [0, 0.5],
      [0.5, 0.6914625],
      [1.5, 0.9331928],
      [3.5, 0.9997674],
    ];
    for (const [z, p] of cdf) {
      let c = 0;
      for (const v of x) if (v < z) c++;
      // 5 binomial standard errors
      expect(Math.abs(c / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 1e-6);
    }
    let s2 = 0;
    for (const v of x) s2 += v * v;
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    // Beyond the ziggurat's base strip (R ≈ 3.4426): the tail path is exercised.
    expect(x.some((v) => Math.abs(v) > 3.45)).toBe(true);
    // Same seed and length → same values, in either array type; mean and std apply. (Rejected
    // draws are finished after the whole fill, so a shorter fill is not a prefix of a longer one.)
    const f = new Rng(9).fillNormal(new Float32Array(n), 1, 0.02);
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(f[i]! - (1 + 0.02 * x[i]!)));
    expect(d).toBeLessThan(1e-6);
    // Two fills continue one stream.
    const r = new Rng(9);
    const first = r.fillNormal(new Float64Array(10));
    const second = r.fillNormal(new Float64Array(10));
    expect(Array.from(new Rng(9).fillNormal(new Float64Array(10)))).toEqual(Array.from(first));
    expect(Array.from(second)).not.toEqual(Array.from(first));
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
