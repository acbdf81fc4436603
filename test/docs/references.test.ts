// The documentation, sources and messages cite the original code and the project's own reference of
// it (docs/original.md), never a file users do not have (issue 20, item 13); every "original.md §n"
// they cite exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SELF = path.relative(ROOT, import.meta.filename);
const TEXT = /\.(ts|mts|mjs|js|md|py|yaml|json|txt)$/;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(rel));
    else if (TEXT.test(e.name)) out.push(rel);
  }
  return out;
}
const all = ['README.md', ...['docs', 'cli', 'compiler', 'runtime', 'spec', 'bin', 'scripts', 'tools', 'bench', 'examples', 'test', 'generated'].flatMap(files)].filter((f) => f !== SELF);

describe('references to the original', () => {
  it('no file cites attngan.md, a reference users do not have', () => {
    const citing = all.filter((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').includes('attngan.md'));
    expect(citing).toEqual([]);
  });

  it('every "original.md §n" cited exists as a section of docs/original.md', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'original.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
    const cited: string[] = [];
    for (const f of all) {
      for (const m of fs.readFileSync(path.join(ROOT, f), 'utf8').matchAll(/original\.md\)? ((?:§\d+(?:\.\d+)?(?:-\d+)?(?:, | \/ )?)+)/g)) {
        for (const s of m[1]!.matchAll(/§(\d+(?:\.\d+)?)(?:-(\d+))?/g)) cited.push(`${f}: §${s[1]}`);
      }
    }
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((c) => !sections.has(c.split('§')[1]!))).toEqual([]);
  });
});
