/**
 * The one seeded random source of the runtime: parameter init, conditioning-augmentation noise, the
 * data loader's shuffles, crops and word drop, and the synthetic birds all draw from an `Rng`.
 *
 * Never tfjs op seeds (they differ between backends and versions). Every stream is named, not
 * counted: `fork(label)` derives an independent stream from this stream's *key* and the label, never
 * from how many numbers were drawn, so `rng.fork('h_net2.upsample.1.weight')` or
 * `Rng.stream(seed).fork(item)` gives the same values whatever else was drawn, in any order.
 *
 * Two generators sit behind the one interface, each fixed by files that must not change:
 * - keyed streams (`new Rng(seed | key)`): xoshiro128** seeded by a cyrb128 hash of a string key
 *   path (`seed:42/h_net1/fc.0.weight`), 53-bit uniforms. The generated models' seeded init.
 * - integer streams (`Rng.stream(seed)`): mulberry32 on a 32-bit seed, `fork(n)` continues the
 *   `hash32` chain, 32-bit uniforms. The synthetic birds (format v1: its files are pinned by
 *   test/runtime/util/rng-pins.test.ts) and the data loader, whose seeds cross to decode workers as
 *   plain numbers.
 */

/** The generator state behind an `Rng`. */
interface Core {
  uint32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  fork(label: string | number): Core;
  readonly key: string;
}

export class Rng {
  private spare: number | undefined;
  private readonly core: Core;

  /** A keyed stream: `seed` is a number (`seed:<n>`) or a key path string. */
  constructor(seed: number | string);
  /** @internal */
  constructor(seed: Core);
  constructor(seed: number | string | Core) {
    this.core = typeof seed === 'object' ? seed : new Xoshiro(typeof seed === 'number' ? `seed:${seed}` : seed);
  }

  /** An integer stream on a 32-bit seed (mulberry32). */
  static stream(seed: number): Rng {
    return new Rng(new Mulberry(seed >>> 0));
  }

  /** The stream's name: the key path of a keyed stream, `stream:<seed>` of an integer one. */
  get key(): string {
    return this.core.key;
  }

  /** An independent stream named by `label` (deterministic in this stream's key and the label). */
  fork(label: string | number): Rng {
    return new Rng(this.core.fork(label));
  }

  uint32(): number {
    return this.core.uint32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.core.next();
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** Fisher–Yates, in place; returns its argument. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
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
    const u = (this.uint32() + 0.5) / 4294967296;
    const v = (this.uint32() + 0.5) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * v;
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /**
   * Fill with uniforms in [lo, hi). Keyed streams use one 32-bit draw per value (plenty for float32
   * weights, half the cost of 53-bit `next()`); integer streams keep `next()` (their files are pinned).
   */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo: number, hi: number): T {
    const w = hi - lo;
    if (this.core instanceof Xoshiro) {
      const core = this.core;
      const scale = w / 4294967296;
      for (let i = 0; i < out.length; i++) out[i] = lo + scale * (core.uint32() + 0.5);
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.next();
    return out;
  }

  /**
   * Fill with normals. Keyed streams use Marsaglia & Tsang's ziggurat with the generator inlined
   * (~5 ns per value against ~24 ns through `normal()`: a birds model's orthogonal init draws ~10⁸);
   * not the same numbers as repeated `normal()`, and a shorter fill is not a prefix of a longer one
   * (rejected draws are finished after the fast pass). Integer streams keep `normal()` (pinned files).
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    if (this.core instanceof Xoshiro) {
      this.spare = undefined;
      const st = this.core.state();
      if (out instanceof Float32Array) zigguratFill(out, st, mean, std);
      else zigguratFill(out as Float64Array, st, mean, std);
      this.core.setState(st);
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
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

/** One xoshiro128** step on `st` (the same sequence as `Xoshiro.uint32`), as a signed int32. */
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

/** Uniform in (0, 1) from one step. */
function unif(st: Int32Array): number {
  return ((step(st) >>> 0) + 0.5) / 4294967296;
}

/**
 * The ziggurat's fast pass with the generator inlined (one draw, one compare, one multiply for
 * ~97 % of values); the rejected ~3 % are finished afterwards, continuing the same stream (a call
 * inside the loop would make it several times slower).
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

/** 32-bit avalanche hash of a list of integers: `hash32(a, b) === hashStep(hash32(a), b)`. */
export function hash32(...xs: number[]): number {
  let h = HASH_START;
  for (const x of xs) h = hashStep(h, x);
  return h;
}

const HASH_START = 0x9e3779b9 >>> 0;

/** One splitmix32-style finaliser step of `hash32`. */
function hashStep(h: number, x: number): number {
  h = Math.imul(h ^ (x | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h + 0x6d2b79f5) >>> 0;
}

class Mulberry implements Core {
  private s: number;
  constructor(private readonly seed: number) {
    this.s = seed;
  }
  get key(): string {
    return `stream:${this.seed}`;
  }
  uint32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.uint32() / 4294967296;
  }
  fork(label: string | number): Core {
    let h = this.seed;
    if (typeof label === 'number') h = hashStep(h, label);
    else for (let i = 0; i < label.length; i++) h = hashStep(h, label.charCodeAt(i));
    return new Mulberry(h);
  }
}

class Xoshiro implements Core {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(readonly key: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(key);
    // Warm up: the first outputs of a freshly hashed state are fine, but a few rounds cost nothing.
    for (let i = 0; i < 8; i++) this.uint32();
  }
  fork(label: string | number): Core {
    return new Xoshiro(`${this.key}/${label}`);
  }
  uint32(): number {
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
  state(): Int32Array {
    return new Int32Array([this.a, this.b, this.c, this.d]);
  }
  setState(st: Int32Array): void {
    [this.a, this.b, this.c, this.d] = [st[0]!, st[1]!, st[2]!, st[3]!];
  }
  /** 53 random bits. */
  next(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
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
