import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, loadSpec, renderDiagnostics } from '../../../compiler/spec.js';
import { readHeader } from './corpus.js';

const dir = 'test/compiler/validate/invalid';
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('_')).sort();

describe('invalid spec corpus (golden rendered diagnostics)', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const name of cases) {
    it(name, async () => {
      const file = `${dir}/${name}`;
      const h = readHeader(file);
      const r = await loadSpec(file, { set: h.sets });
      const text = renderDiagnostics(r.diagnostics, { color: false, sources: r.sourceFiles });
      const hit = r.diagnostics.find((d) => d.code === h.code && d.line === h.line && d.col === h.col && d.file === (h.file ?? file));
      expect(hit, `expected ${h.code} at ${h.file ?? file}:${h.line}:${h.col}; got:\n${text}`).toBeDefined();
      if (h.code.startsWith('ATTNC2') && (h.code === 'ATTNC2016' || name.includes('warning'))) expect(r.ok).toBe(true);
      else expect(r.ok).toBe(false);
      const golden = path.resolve(dir, '__golden__', name.replace(/\.yaml$/, '.txt'));
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(path.dirname(golden), { recursive: true });
        writeFileSync(golden, text);
      }
      await expect(text).toMatchFileSnapshot(golden);
    });
  }

  it('exercises every semantic-rule code', () => {
    const covered = new Set(cases.map((c) => readHeader(`${dir}/${c}`).code));
    const ruleCodes = Object.keys(catalog).filter((c) => c.startsWith('ATTNC2'));
    expect(ruleCodes.filter((c) => !covered.has(c))).toEqual([]);
  });
});
