import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../../compiler/pipeline.js';
import { ROOT, SHIPPED } from '../lower/helpers.js';

// `attnc compile --check` for every shipped spec, in process: the committed generated/ trees are
// the golden files of the whole emitter.
describe('attnc compile --check', () => {
  it.each(SHIPPED)('generated/%s is up to date with its spec', async (name) => {
    const r = await compileSpec(path.join(ROOT, 'spec', `${name}.yaml`), { typecheck: false, projectRoot: ROOT });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const drift = await r.files.check(r.outDir, `generated/${name}`);
    expect(drift.map((d) => d.patch).join('\n')).toBe('');
  });

  it('fails with a unified diff after a one-character edit (temp copy)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'attnc-check-'));
    try {
      await cp(path.join(ROOT, 'generated', 'tiny'), dir, { recursive: true });
      const file = path.join(dir, 'generator.ts');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('channels: 8,', 'channels: 9,'));
      const r = await compileSpec(path.join(ROOT, 'spec', 'tiny.yaml'), { typecheck: false, projectRoot: ROOT });
      if (!r.ok) throw new Error('compile failed');
      const drift = await r.files.check(dir, 'generated/tiny');
      expect(drift.map((d) => [d.file, d.status])).toEqual([['generator.ts', 'changed']]);
      expect(drift[0]!.patch).toContain('--- a/generated/tiny/generator.ts');
      expect(drift[0]!.patch).toMatch(/^-.*channels: 9,/m);
      expect(drift[0]!.patch).toMatch(/^\+.*channels: 8,/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing file is added, a stale generated file removed, a hand-written one left alone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'attnc-check-'));
    try {
      await cp(path.join(ROOT, 'generated', 'tiny'), dir, { recursive: true });
      await rm(path.join(dir, 'sample.ts'));
      const stale = await readFile(path.join(dir, 'losses.ts'), 'utf8');
      await writeFile(path.join(dir, 'old.ts'), stale);
      await writeFile(path.join(dir, 'notes.ts'), '// mine\n');
      const r = await compileSpec(path.join(ROOT, 'spec', 'tiny.yaml'), { typecheck: false, projectRoot: ROOT });
      if (!r.ok) throw new Error('compile failed');
      const drift = await r.files.check(dir, 'generated/tiny');
      expect(drift.map((d) => [d.file, d.status])).toEqual([['old.ts', 'removed'], ['sample.ts', 'added']]);
      expect(drift[1]!.patch).toContain('--- /dev/null\n+++ b/generated/tiny/sample.ts');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the generated code type-checks under strict tsc (tiny), and compile reports a type error as a compiler bug', async () => {
    const r = await compileSpec(path.join(ROOT, 'spec', 'tiny.yaml'), { projectRoot: ROOT, typecheckCache: false });
    expect(r.ok && r.typecheck?.ok).toBe(true);
  });
});
