import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureStats, frechetDistance } from '../../../runtime/eval/fid.js';
import { isAttncError } from '../../../runtime/util/errors.js';
import { Rng } from '../../../runtime/util/rng.js';

function gaussianRows(n: number, d: number, seed: number, shift = 0, scale = 1): Float32Array {
  const rng = Rng.stream(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rng.next(), 1e-12);
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = shift + scale * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = shift + scale * r * Math.sin(2 * Math.PI * v);
  }
  // Correlate the features a little so the covariance is not diagonal.
  for (let r = 0; r < n; r++) for (let j = 1; j < d; j++) out[r * d + j]! += 0.5 * out[r * d + j - 1]!;
  return out;
}

describe('FeatureStats and the Fréchet distance', () => {
  const d = 12;
  const real = new FeatureStats(d).add(gaussianRows(400, d, 1));

  it('a set against itself is ≈ 0; against noise it is large', () => {
    expect(frechetDistance(real, real)).toBeLessThan(1e-8);
    const same = new FeatureStats(d).add(gaussianRows(400, d, 2));
    const noise = new FeatureStats(d).add(gaussianRows(400, d, 3, 3, 4));
    const near = frechetDistance(real, same);
    const far = frechetDistance(real, noise);
    expect(near).toBeGreaterThan(0);
    expect(near).toBeLessThan(2);
    expect(far).toBeGreaterThan(100 * near);
  });

  it('covariance and mean match a direct computation', () => {
    const rows = gaussianRows(30, 4, 9);
    const s = new FeatureStats(4).add(rows);
    const mu = [0, 1, 2, 3].map((j) => Array.from({ length: 30 }, (_, r) => rows[r * 4 + j]!).reduce((a, b) => a + b) / 30);
    const cov01 = Array.from({ length: 30 }, (_, r) => (rows[r * 4]! - mu[0]!) * (rows[r * 4 + 1]! - mu[1]!)).reduce((a, b) => a + b) / 29;
    expect(s.mean()[2]).toBeCloseTo(mu[2]!, 12);
    expect(s.covariance()[1]).toBeCloseTo(cov01, 10);
    expect(s.covariance()[4]).toBeCloseTo(cov01, 10);
  });

  it('merged shard statistics equal one pass, and survive a bytes round trip', () => {
    const rows = gaussianRows(90, d, 5);
    const whole = new FeatureStats(d).add(rows);
    const merged = new FeatureStats(d);
    for (let k = 0; k < 3; k++) {
      // Through a file: readFileSync gives a pooled Buffer whose .buffer is shared and unaligned.
      const file = path.join(os.tmpdir(), `attnc-fid-test-${process.pid}-${k}.bin`);
      fs.writeFileSync(file, new FeatureStats(d).add(rows.slice(k * 30 * d, (k + 1) * 30 * d)).toBytes());
      merged.merge(FeatureStats.fromBytes(fs.readFileSync(file), `shard${k}`));
      fs.rmSync(file);
    }
    expect(merged.n).toBe(90);
    expect(Math.abs(frechetDistance(whole, real) - frechetDistance(merged, real))).toBeLessThan(1e-9);
  });

  it('corrupt statistics files are clear errors', () => {
    const bytes = real.toBytes();
    for (const bad of [bytes.slice(0, 10), bytes.slice(0, bytes.length - 8), new Uint8Array(bytes.length)]) {
      try {
        FeatureStats.fromBytes(bad, 'x/fid-generated.bin');
        expect.unreachable();
      } catch (e) {
        expect(isAttncError(e)).toBe(true);
        expect((e as Error).message).toMatch(/^x\/fid-generated\.bin: /);
      }
    }
    expect(() => new FeatureStats(d).add(Float32Array.from({ length: d }, (_, i) => (i === 3 ? NaN : 0)))).toThrow(/feature 3 of row 0 is NaN/);
  });
});
