import { Rng } from '../../runtime/util/rng.js';

export type { Rng };

/** The fuzzer's generator: the runtime's seeded integer stream (`Rng.stream`). */
export function rng(seed: number): Rng {
  return Rng.stream(seed);
}

/** One mutation: new bytes from `b`, with the reader's `tokens` (AFL-style dictionary) at hand. */
export type Mutator = (b: Uint8Array, r: Rng, tokens: readonly Uint8Array[]) => Uint8Array;

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Position biased towards the start, where headers and length fields live. */
const pos = (b: Uint8Array, r: Rng) => (r.next() < 0.5 ? r.int(Math.min(b.length, 64) + 1) : r.int(b.length + 1));

const HUGE: readonly number[][] = [
  [0xff, 0xff, 0xff, 0xff],
  [0x7f, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x00, 0x00, 0x00],
  [0xff, 0xff],
  [0x00, 0x00, 0x00, 0x00],
  [0x00, 0x01, 0x86, 0xa0], // 100,000 (a side length)
];

export const MUTATORS: Record<string, Mutator> = {
  truncate: (b, r) => b.subarray(0, r.int(b.length)),
  bitFlip: (b, r) => {
    const out = Uint8Array.from(b);
    const n = 1 + r.int(4);
    for (let k = 0; k < n && out.length; k++) out[pos(out, r)] ^= 1 << r.int(8);
    return out;
  },
  setByte: (b, r) => {
    const out = Uint8Array.from(b);
    if (out.length) out[Math.min(out.length - 1, pos(out, r))] = r.pick([0x00, 0xff, 0x7f, 0x80, 0x0a, 0x2f, 0x2e]);
    return out;
  },
  /** A length or size field set huge (or zero): 2 or 4 bytes overwritten at a random offset. */
  hugeLength: (b, r) => {
    const out = Uint8Array.from(b);
    const v = r.pick(HUGE);
    const at = Math.min(Math.max(0, out.length - v.length), pos(out, r));
    v.forEach((x, i) => { if (at + i < out.length) out[at + i] = x; });
    return out;
  },
  insertToken: (b, r, tokens) => {
    if (!tokens.length) return b;
    const at = pos(b, r);
    return cat(b.subarray(0, at), r.pick(tokens), b.subarray(at));
  },
  /** Nested structures: a token (an opening bracket, MARK, EMPTY_LIST…) repeated up to 20,000 times. */
  nest: (b, r, tokens) => {
    const t = tokens.length && r.next() < 0.7 ? r.pick(tokens) : b.subarray(pos(b, r)).subarray(0, 1 + r.int(4));
    const n = r.pick([10, 100, 1000, 20_000]);
    const rep = new Uint8Array(t.length * n);
    for (let k = 0; k < n; k++) rep.set(t, k * t.length);
    const at = pos(b, r);
    return cat(b.subarray(0, at), rep, b.subarray(at));
  },
  deleteChunk: (b, r) => {
    const a = r.int(b.length + 1);
    return cat(b.subarray(0, a), b.subarray(Math.min(b.length, a + 1 + r.int(64))));
  },
  duplicateChunk: (b, r) => {
    const a = r.int(b.length + 1);
    const chunk = b.subarray(a, a + 1 + r.int(256));
    const at = r.int(b.length + 1);
    return cat(b.subarray(0, at), chunk, b.subarray(at));
  },
  randomBytes: (b, r) => {
    const at = pos(b, r);
    const junk = Uint8Array.from({ length: 1 + r.int(32) }, () => r.int(256));
    return cat(b.subarray(0, at), junk, b.subarray(at + r.int(8)));
  },
};

/** 1–3 seeded mutations of `b`. */
export function mutate(b: Uint8Array, r: Rng, tokens: readonly Uint8Array[]): { bytes: Uint8Array; ops: string[] } {
  const names = Object.keys(MUTATORS);
  const ops: string[] = [];
  let out = b;
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    const name = r.pick(names);
    ops.push(name);
    out = MUTATORS[name]!(out, r, tokens);
  }
  return { bytes: out, ops };
}

/** Dictionary entries from strings (latin1: one char, one byte) or byte arrays. */
export function tokens(...xs: (string | number[])[]): Uint8Array[] {
  return xs.map((x) => (typeof x === 'string' ? Uint8Array.from(x, (c) => c.charCodeAt(0) & 0xff) : Uint8Array.from(x)));
}
