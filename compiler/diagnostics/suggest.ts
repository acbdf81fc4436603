/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d[i] = [i];
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, if close enough to be a likely typo (commander's suggestSimilar rule). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestDist) { best = c; bestDist = dist; }
  }
  if (best === undefined) return undefined;
  if (w.length >= 3) {
    // Abbreviations: `attn` → `attention`, `bs` is too short to guess.
    const abbreviated = candidates.filter((c) => isAbbreviation(w, c.toLowerCase()));
    if (abbreviated.length === 1 && bestDist > 1) return abbreviated[0];
  }
  const similarity = (Math.max(w.length, best.length) - bestDist) / Math.max(w.length, best.length);
  return bestDist <= Math.max(1, Math.floor(best.length * 0.4)) && similarity > 0.4 ? best : undefined;
}

function isAbbreviation(short: string, long: string): boolean {
  if (short[0] !== long[0] || short.length >= long.length) return false;
  let j = 0;
  for (const ch of long) if (ch === short[j]) j++;
  return j === short.length;
}

/** `help` text for an unknown word: a suggestion, or the list of valid ones when short. */
export function helpFor(word: string, candidates: readonly string[], what = 'keys'): string | undefined {
  const s = suggest(word, candidates);
  if (s !== undefined) return `did you mean "${s}"?`;
  if (candidates.length === 0) return undefined;
  if (candidates.length <= 12) return `valid ${what}: ${candidates.map((c) => `"${c}"`).join(', ')}`;
  return undefined;
}
