/**
 * Sorts the colour errors of an `attnc eval --metrics attributes` run by kind, from the
 * `attributes.jsonl` it writes: per part, how often the classifier reads the colour the caption
 * states, how often the colour the caption gives another part (a binding error), and how often a
 * colour the caption does not name (docs/tuning.md, seventh round).
 *
 *   npx tsx tools/binding-errors.ts runs/<run>/eval-heldout/attributes.jsonl
 */
import * as fs from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx tools/binding-errors.ts <eval folder>/attributes.jsonl');
type Line = { stated: Record<string, string>; read: Record<string, string> };
const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
const parts = ['wing', 'belly', 'crown'] as const;
for (const part of parts) {
  let n = 0, right = 0, binding = 0;
  for (const { stated, read } of lines) {
    if (stated[part] === undefined) continue;
    n++;
    if (read[part] === stated[part]) right++;
    else if (parts.some((p) => p !== part && stated[p] === read[part])) binding++;
  }
  const pct = (x: number) => `${((100 * x) / Math.max(1, n)).toFixed(1)} %`;
  console.log(`${part.padEnd(5)} n ${n}: right ${pct(right)}, another stated part's colour ${pct(binding)} (${binding}), unnamed colour ${pct(n - right - binding)} (${n - right - binding})`);
}
