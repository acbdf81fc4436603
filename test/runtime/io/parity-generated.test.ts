import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../../compiler/pipeline.js';
import { PTH_FIXTURES } from './parity-helpers.js';

// The parity model's generated code (test/fixtures/pth/generated/) is committed like generated/<name>/,
// but it is not a shipped spec, so `attnc compile --check` does not see it: this test does the same
// check. On drift: npx attnc compile test/fixtures/pth/parity.yaml -o test/fixtures/pth/generated
describe('parity model code', () => {
  it('test/fixtures/pth/generated is up to date with parity.yaml', async () => {
    const outDir = path.join(PTH_FIXTURES, 'generated');
    const result = await compileSpec(path.join(PTH_FIXTURES, 'parity.yaml'), { outDir, typecheck: false });
    if (!result.ok) throw new Error(`parity.yaml does not compile: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
    const drift = await result.files.check(outDir);
    expect(drift.map((d) => `${d.file} (${d.status})`)).toEqual([]);
  }, 60_000);

  // On drift: npx attnc compile test/fixtures/pth/families/dfgan-micro.yaml -o test/fixtures/pth/families/generated-dfgan
  it('test/fixtures/pth/families/generated-dfgan is up to date with dfgan-micro.yaml', async () => {
    const outDir = path.join(PTH_FIXTURES, 'families', 'generated-dfgan');
    const result = await compileSpec(path.join(PTH_FIXTURES, 'families', 'dfgan-micro.yaml'), { outDir, typecheck: false });
    if (!result.ok) throw new Error(`dfgan-micro.yaml does not compile: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
    const drift = await result.files.check(outDir);
    expect(drift.map((d) => `${d.file} (${d.status})`)).toEqual([]);
  }, 60_000);
});
