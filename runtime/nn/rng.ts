/**
 * Deterministic JS-side random numbers for parameter initialisation.
 *
 * Init must not depend on tfjs op seeds (they differ between backends and versions), so every
 * weight is drawn here. `fork(label)` derives an independent stream from this stream's *key*
 * (its seed path), not from how many numbers were drawn, so `rng.fork('h_net2.upsample.1.weight')`
 * gives the same values no matter which other modules exist or in which order they are visited.
 *
 * Generator: xoshiro128** seeded from a cyrb128 hash of the key.
 */
export class Rng {
  /** The seed path, e.g. `seed:42/h_net1/fc.0.weight`. */
  readonly key: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number | string) {
    this.key = typeof seed === 'number' ? `seed:${seed}` : seed;
    const [a, b, c, d] = cyrb128(this.key);
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // Warm up: the first outputs of a freshly hashed state are fine, but a few rounds cost nothing.
    for (let i = 0; i < 8; i++) this.nextUint32();
  }

  /** An independent stream named by `label` (deterministic in this stream's key and the label). */
  fork(label: string): Rng {
    return new Rng(`${this.key}/${label}`);
  }

  nextUint32(): number {
    const t = this.b << 9;
    let r = Math.imul(this.b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Standard normal (Box–Muller on two 32-bit uniforms in (0,1); the second value of each pair is
   * kept for the next call). 32-bit uniforms are plenty here and halve the cost of big inits.
   */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = (this.nextUint32() + 0.5) / 4294967296;
    const v = (this.nextUint32() + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * v;
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  fillUniform<T extends Float32Array | Float64Array>(out: T, lo: number, hi: number): T {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.next();
    return out;
  }

  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
