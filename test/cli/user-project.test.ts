// attnc used from a user's own folder, outside this repository: the failures of issue 13, each
// reproduced (they failed before the fix) — a generated folder written outside the repository,
// a copied spec that extends a shipped base, commands run from a folder without runtime/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'attnc.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'attnc-user-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function attnc(cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

const tinyAt = (extendsValue: string) => readFileSync(path.join(ROOT, 'spec', 'tiny.yaml'), 'utf8').replace('extends: bases/attngan.yaml', `extends: ${extendsValue}`);

describe('a generated folder outside the repository', () => {
  it('type-checks there (no TS1295, no relative runtime imports) and is byte-identical to generated/', () => {
    const out = path.join(tmp, 'out-tiny');
    // Uncached, so the strict type check really runs on the folder outside the repository.
    const r = attnc(ROOT, ['compile', 'spec/tiny.yaml', '-o', out], { ATTNC_NO_TYPECHECK_CACHE: '1' });
    expect(r.stderr).not.toMatch(/TS1295|error TS|internal error/);
    expect(r.status).toBe(0);
    const ours = readdirSync(path.join(ROOT, 'generated', 'tiny')).sort();
    // Outside an ES module package the folder gets its own package.json, and only that.
    expect(readdirSync(out).sort()).toEqual([...ours, 'package.json'].sort());
    expect(JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')).type).toBe('module');
    for (const f of ours) expect(readFileSync(path.join(out, f), 'utf8'), f).toBe(readFileSync(path.join(ROOT, 'generated', 'tiny', f), 'utf8'));
    const model = readFileSync(path.join(out, 'model.ts'), 'utf8');
    expect(model).toContain("from 'attnc/runtime/nn/index.js'");
    expect(readFileSync(path.join(out, 'index.ts'), 'utf8')).toContain("from 'attnc/runtime/model/contract.js'");
    for (const f of ours.filter((x) => x.endsWith('.ts'))) expect(readFileSync(path.join(out, f), 'utf8')).not.toContain('../runtime');
  }, 120_000);

  it('trains there with no attnc package in reach: the CLI resolves attnc/… to itself (cli/resolve-attnc.mjs)', () => {
    // Before the resolve hook: "internal error: Cannot find package 'attnc' imported from …/discriminators.ts".
    const out = path.join(tmp, 'loose-tiny');
    const c = attnc(ROOT, ['compile', 'spec/tiny.yaml', '-o', out, '--no-typecheck']);
    expect(c.status).toBe(0);
    const r = attnc(tmp, ['train', out, '--max-steps', '1', '--out', path.join(tmp, 'loose-run')], { TF_CPP_MIN_LOG_LEVEL: '3' });
    expect(r.stderr).not.toMatch(/internal error|Cannot find package/);
    expect(r.stdout + r.stderr).toContain('stopped (max-steps) after 1 steps');
    expect(r.status).toBe(0);
  }, 180_000);

  it('runs there when the project has attnc installed: the runtime resolves through the package exports', () => {
    const proj = path.join(tmp, 'proj-run');
    mkdirSync(path.join(proj, 'node_modules'), { recursive: true });
    writeFileSync(path.join(proj, 'package.json'), '{ "name": "proj", "private": true }\n'); // CommonJS package
    symlinkSync(ROOT, path.join(proj, 'node_modules', 'attnc'), 'dir');
    writeFileSync(path.join(proj, 'my.yaml'), tinyAt('attnc:attngan'));
    const c = attnc(proj, ['compile', 'my.yaml', '--no-typecheck']);
    expect(c.stderr).toContain('→ generated/tiny/');
    expect(c.status).toBe(0);
    // Build every network of the generated model in that project: the generated files, the runtime
    // and tfjs all resolve from there (one tfjs instance: the generated code imports attnc/runtime/tf.js).
    const script = "const m = await import('./generated/tiny/index.ts'); const model = m.createModel({ vocabSize: 40 }); " +
      "const tf = await import('attnc/runtime/tf.js'); m.disposeModel(model); console.log('built', m.PARAMETER_COUNTS.generator, tf.memory().numTensors);";
    const tsx = import.meta.resolve('tsx');
    const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      cwd: proj, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^built 202384 0$/m);
  }, 120_000);
});

describe('a spec of ones own in another folder', () => {
  const dir = path.join(tmp, 'my-project');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'my-tiny.yaml'), tinyAt('attnc:attngan'));

  it('extends a shipped base as attnc:<name> and validates from its own folder', () => {
    const r = attnc(dir, ['validate', 'my-tiny.yaml']);
    expect(r.stdout + r.stderr).toContain('✓ my-tiny.yaml is valid');
    expect(r.status).toBe(0);
  });

  it('compiles from its own folder (no runtime/ there) into ./generated/<name>/', () => {
    const r = attnc(dir, ['compile', 'my-tiny.yaml']);
    expect(r.stderr).not.toMatch(/internal error|ENOENT/);
    expect(r.stderr).toContain('→ generated/tiny/');
    expect(r.status).toBe(0);
    expect(readdirSync(path.join(dir, 'generated', 'tiny'))).toContain('index.ts');
  }, 120_000);

  it('names values from a shipped base as attnc:<name> in explain, not by where attnc is installed', () => {
    const r = attnc(dir, ['explain', 'my-tiny.yaml', '--show-origin']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/# from attnc:attngan:\d+/);
  });

  it('suggests the closest shipped name for a near miss', () => {
    writeFileSync(path.join(dir, 'typo.yaml'), tinyAt('attnc:attgan'));
    const r = attnc(dir, ['validate', 'typo.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no shipped spec or base "attnc:attgan"');
    expect(r.stderr).toContain('did you mean "attnc:attngan"?');
  });

  it('points a copied relative base at its attnc: name', () => {
    writeFileSync(path.join(dir, 'copied.yaml'), readFileSync(path.join(ROOT, 'spec', 'tiny.yaml'), 'utf8'));
    const r = attnc(dir, ['validate', 'copied.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('did you mean the shipped `attnc:attngan`?');
  });

  it('extends a whole shipped spec with one change', () => {
    writeFileSync(path.join(dir, 'mine.yaml'), 'attnc: 1\nname: mine\nextends: attnc:tiny\ntrain: {gan: {batch_size: 4}}\n');
    const r = attnc(dir, ['explain', 'mine.yaml', '--show-origin']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/batch_size: 4 +# from mine.yaml:4/);
  });

  it('compile --check without a spec in a folder without spec/ is a usage error, not an internal error', () => {
    const r = attnc(dir, ['compile', '--check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has no spec/*.yaml');
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('a shipped spec named as attnc:<name> wherever a command takes a spec (issue 20, item 9)', () => {
  const proj = path.join(tmp, 'proj-shipped');
  mkdirSync(path.join(proj, 'node_modules'), { recursive: true });
  writeFileSync(path.join(proj, 'package.json'), '{ "name": "proj", "private": true }\n');
  symlinkSync(ROOT, path.join(proj, 'node_modules', 'attnc'), 'dir');
  writeFileSync(path.join(proj, 'my.yaml'), 'attnc: 1\nname: my-birds\nextends: attnc:tiny\ntrain: {gan: {epochs: 5}}\n');

  it('validate, explain and diff take attnc:tiny and show it by that name', () => {
    const v = attnc(proj, ['validate', 'attnc:tiny']);
    expect(v.stdout).toContain('✓ attnc:tiny is valid');
    expect(v.status).toBe(0);
    const e = attnc(proj, ['explain', 'attnc:tiny']);
    expect(e.stdout).toMatch(/^# attnc:tiny resolved\n/);
    expect(e.status).toBe(0);
    const d = attnc(proj, ['diff', 'attnc:tiny', 'my.yaml']);
    expect(d.stderr).toBe('');
    expect(d.stdout).toContain('attnc:tiny');
    expect(d.stdout).toContain('my.yaml');
    expect(d.status).toBe(0);
  });

  it('an unknown shipped name is the same error with the same exit code (2) in every command', () => {
    for (const args of [['validate', 'attnc:tinny'], ['explain', 'attnc:tinny'], ['compile', 'attnc:tinny'], ['diff', 'attnc:tinny', 'my.yaml']]) {
      const r = attnc(proj, args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('no shipped spec or base "attnc:tinny"');
      expect(r.stderr).toContain('did you mean "attnc:tiny"?');
    }
  });

  it('compile attnc:tiny writes ./generated/tiny, and train finds the shipped spec behind it (--set)', () => {
    const c = attnc(proj, ['compile', 'attnc:tiny', '--no-typecheck']);
    expect(c.stderr).toContain('✓ attnc:tiny → generated/tiny/');
    expect(c.status).toBe(0);
    expect(readFileSync(path.join(proj, 'generated', 'tiny', 'model.ts'), 'utf8')).toContain("file: 'attnc:tiny'");
    const t = attnc(proj, ['train', 'generated/tiny', '--max-steps', '1', '--set', 'train.damsm.epochs=1']);
    expect(t.stderr).not.toMatch(/not found|error\[|internal error/);
    expect(t.status).toBe(0);
    expect(readFileSync(path.join(proj, 'runs', 'tiny-1', 'resolved.yaml'), 'utf8')).toMatch(/epochs: 1 +# from <--set #1>/);
  }, 180_000);
});
