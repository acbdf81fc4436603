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

  /** Fill with uniforms in (lo, hi), one 32-bit draw each (plenty for float32 weights). */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo: number, hi: number): T {
    const w = (hi - lo) / 4294967296;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * (this.nextUint32() + 0.5);
    return out;
  }

  /**
   * Fill with normals by Marsaglia & Tsang's ziggurat (128 layers) on 32-bit draws, with the
   * generator inlined: ≈ 8× faster than calling `normal()` per value (one draw, one compare and one
   * multiply for ~98 % of values), which matters for the ~10⁸ values of a birds model's orthogonal
   * init. (Not the same numbers as repeated `normal()`.)
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    const st = new Int32Array([this.a, this.b, this.c, this.d]);
    if (out instanceof Float32Array) zigguratFill(out, st, mean, std);
    else zigguratFill(out as Float64Array, st, mean, std);
    [this.a, this.b, this.c, this.d] = st as unknown as [number, number, number, number];
    return out;
  }
}

/** Start of the ziggurat's tail, and the area of each of its 128 layers. */
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
/** Marsaglia & Tsang's tables for 32-bit signed draws. */
const ZIG = zigguratTables();

function zigguratTables() {
  const kn = new Float64Array(128);
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  const m1 = 2147483648;
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
  return { kn, wn, fn };
}

/** One xoshiro128** step on `st` (the same sequence as `Rng.nextUint32`), as a signed int32. */
function step(st: Int32Array): number {
  const a = st[0]!;
  const b = st[1]!;
  const t = b << 9;
  let r = Math.imul(b, 5);
  r = Math.imul((r << 7) | (r >>> 25), 9) | 0;
  const c = st[2]! ^ a;
  const d = st[3]! ^ b;
  st[1] = b ^ c;
  st[0] = a ^ d;
  st[2] = c ^ t;
  st[3] = (d << 11) | (d >>> 21);
  return r;
}

/**
 * Marsaglia & Tsang's ziggurat with the generator inlined for the fast path (one draw, one compare,
 * one multiply for ~98 % of values); kept monomorphic per array type by the caller.
 */
function zigguratFill(out: Float32Array | Float64Array, st: Int32Array, mean: number, std: number): void {
  const kn = ZIG.kn;
  const wn = ZIG.wn;
  let a = st[0]!;
  let b = st[1]!;
  let c = st[2]!;
  let d = st[3]!;
  const n = out.length;
  const rejected: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = b << 9;
    let r = Math.imul(b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9) | 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    const iz = r & 127;
    if (Math.abs(r) < kn[iz]!) out[i] = mean + std * r * wn[iz]!;
    else rejected.push(i, r);
  }
  st[0] = a;
  st[1] = b;
  st[2] = c;
  st[3] = d;
  // The ~3 % rejected draws are finished afterwards, continuing the same stream: a call inside
  // the loop above would make it several times slower.
  for (let k = 0; k < rejected.length; k += 2) {
    const r = rejected[k + 1]!;
    out[rejected[k]!] = mean + std * zigguratSlow(st, r, r & 127);
  }
}

/** The ziggurat's rejection path: a wedge test, or the tail beyond R. */
function zigguratSlow(st: Int32Array, hz: number, iz: number): number {
  const { kn, wn, fn } = ZIG;
  for (;;) {
    const x = hz * wn[iz]!;
    if (iz === 0) {
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(unif(st)) / ZIG_R;
        ty = -Math.log(unif(st));
      } while (ty + ty < tx * tx);
      return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
    }
    if (fn[iz]! + unif(st) * (fn[iz - 1]! - fn[iz]!) < Math.exp(-0.5 * x * x)) return x;
    hz = step(st);
    iz = hz & 127;
    if (Math.abs(hz) < kn[iz]!) return hz * wn[iz]!;
  }
}

/** Uniform in (0, 1) from one step. */
function unif(st: Int32Array): number {
  return ((step(st) >>> 0) + 0.5) / 4294967296;
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
