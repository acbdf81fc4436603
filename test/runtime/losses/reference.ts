/**
 * Direct, loop-based float64 implementations of the AttnGAN loss formulas (docs/original.md §5), written
 * to follow the original per-caption code path, used to check the vectorised tensors.
 */

export type Mat = number[][];

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function randn(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function logSoftmax(xs: number[]): number[] {
  const finite = xs.filter((x) => x !== -Infinity);
  const m = Math.max(...finite);
  const lse = m + Math.log(finite.reduce((s, x) => s + Math.exp(x - m), 0));
  return xs.map((x) => x - lse);
}

/** nn.CrossEntropyLoss(S, arange(B)), mean. */
export function crossEntropyDiag(s: Mat): number {
  let tot = 0;
  s.forEach((row, r) => (tot -= logSoftmax(row)[r]!));
  return tot / s.length;
}

export const transpose = (s: Mat): Mat => s[0]!.map((_, c) => s.map((row) => row[c]!));

function classMask(s: Mat, classIds: number[] | null): Mat {
  if (!classIds) return s;
  return s.map((row, j) => row.map((x, i) => (i !== j && classIds[i] === classIds[j] ? -Infinity : x)));
}

/**
 * words_loss as the original: for each caption i, slice its n_i words, attend every image j
 * (func_attention), cosine per word, log-sum-exp, stack S[j][i].
 * regions[j][r][d] (r = y·w + x), words[i][k][d].
 */
export function wordsLossRef(
  regions: number[][][],
  words: number[][][],
  lengths: number[],
  classIds: number[] | null,
  g1: number,
  g2: number,
  g3: number,
  paper = false,
): { loss0: number; loss1: number; attn: number[][][] /* per caption i: [n_i][N] for image i */ } {
  const b = regions.length;
  const c = words.length; // captions after the first b are extra negatives (no image of their own)
  const s: Mat = Array.from({ length: b }, () => new Array<number>(c).fill(0));
  const attnOwn: number[][][] = [];
  for (let i = 0; i < c; i++) {
    const e = words[i]!.slice(0, lengths[i]!);
    for (let j = 0; j < b; j++) {
      const v = regions[j]!;
      // Eq. 8: per region, softmax over the caption's words.
      const a1 = v.map((vr) => softmax(e.map((ek) => dot(vr, ek))));
      // Eq. 9: per word, softmax over regions of γ1·a1.
      const a2 = e.map((_, k) => softmax(a1.map((row) => g1 * row[k]!)));
      if (i === j) attnOwn.push(a2);
      let sum = 0;
      e.forEach((ek, k) => {
        const c = new Array<number>(ek.length).fill(0);
        v.forEach((vr, r) => vr.forEach((x, d) => (c[d]! += a2[k]![r]! * x)));
        const cos = dot(c, ek) / Math.max(norm(c) * norm(ek), 1e-8);
        sum += Math.exp(g2 * cos);
      });
      s[j]![i] = (paper ? Math.log(sum) / g2 : Math.log(sum)) * g3;
    }
  }
  const m = classMask(s, classIds);
  return { loss0: crossEntropyDiag(m), loss1: crossEntropyDiag(transpose(m).slice(0, b)), attn: attnOwn };
}

export function sentLossRef(
  global: Mat,
  sentence: Mat,
  classIds: number[] | null,
  g3: number,
): { loss0: number; loss1: number } {
  const s = global.map((gj) => sentence.map((si) => (g3 * dot(gj, si)) / Math.max(norm(gj) * norm(si), 1e-8)));
  const m = classMask(s, classIds);
  return { loss0: crossEntropyDiag(m), loss1: crossEntropyDiag(transpose(m).slice(0, global.length)) };
}

/** nn.BCELoss (mean), logs clamped at −100. */
export function bceRef(p: number[], t: number[] | number): number {
  let tot = 0;
  p.forEach((x, k) => {
    const y = typeof t === 'number' ? t : t[k]!;
    tot -= y * Math.max(Math.log(x), -100) + (1 - y) * Math.max(Math.log(1 - x), -100);
  });
  return tot / p.length;
}

export function klRef(mu: Mat, logvar: Mat, reduction: 'mean' | 'sum'): number {
  let tot = 0;
  mu.forEach((row, bi) => row.forEach((m, d) => (tot += 1 + logvar[bi]![d]! - m * m - Math.exp(logvar[bi]![d]!))));
  return reduction === 'mean' ? (-0.5 * tot) / (mu.length * mu[0]!.length) : (-0.5 * tot) / mu.length;
}
