import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../../compiler/spec.js';
import { diagnosticsMarkdown, referenceMarkdown } from '../../../compiler/schema/reference.js';
import { rules } from '../../../compiler/validate/rules/index.js';

const file = 'docs/spec.md';

function fill(doc: string, name: string, body: string): string {
  const re = new RegExp(`(<!-- ${name}:start[^>]*-->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(doc)) throw new Error(`${file} has no ${name} markers`);
  return doc.replace(re, (_m, a: string, b: string) => `${a}${body}${b}`);
}

describe('docs/spec.md', () => {
  it('the generated key reference and diagnostics table are up to date (UPDATE_GOLDEN=1 rewrites them)', () => {
    const doc = readFileSync(file, 'utf8');
    const want = fill(fill(doc, 'reference', referenceMarkdown()), 'diagnostics', diagnosticsMarkdown(catalog, rules));
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, want);
    else expect(doc).toBe(want);
  });
});
