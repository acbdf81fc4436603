import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { loadSide, type DiffSide } from '../../../compiler/diff/load.js';
import { diffSides, type DiffResult } from '../../../compiler/diff/diff.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const GOLDEN = path.join(import.meta.dirname, '__golden__');

const cache = new Map<string, Promise<DiffSide>>();

/** A loaded side, cached per file and overrides (loading + lowering + emitting is the slow part). */
export function side(input: string, set: string[] = [], setFlag = '--set-b'): Promise<DiffSide> {
  const key = `${input}\0${set.join('\0')}\0${setFlag}`;
  let p = cache.get(key);
  if (!p) {
    p = loadSide(input, { set, setFlag, cwd: ROOT }).then((r) => {
      if (!r.ok) throw new Error(`${input}: ${r.usage ?? r.diagnostics.map((d) => d.message).join('; ')}`);
      return r.side;
    });
    cache.set(key, p);
  }
  return p;
}

export async function diffOf(a: string, b: string, options: { setB?: string[]; patch?: boolean } = {}): Promise<DiffResult> {
  return diffSides(await side(a), await side(b, options.setB ?? []), { patch: options.patch });
}

/** Compare with (or, with UPDATE_GOLDEN=1, write) a golden file under __golden__/. */
export async function golden(name: string, text: string): Promise<void> {
  expect(text).not.toContain(ROOT);
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  await expect(text).toMatchFileSnapshot(file);
}
