import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runExplain } from '../../../cli/commands/explain.js';
import { runValidate } from '../../../cli/commands/validate.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
});
afterEach(() => vi.restoreAllMocks());

const text = { set: [] as string[], format: 'text', color: false };

describe('attnc validate', () => {
  it('exit 0 and a summary for a valid spec', async () => {
    expect(await runValidate('spec/attngan2.yaml', text)).toBe(0);
    expect(out).toBe('✓ spec/attngan2.yaml is valid (attngan2: 3 stages 64→128→256 px, gf 32, df 64, cub data, adversarial+damsm+kl losses)\n');
    expect(err).toBe('');
  });

  it('exit 1 with rendered diagnostics for an invalid spec', async () => {
    expect(await runValidate('test/compiler/validate/invalid/unknown-key-typo-train.yaml', text)).toBe(1);
    expect(err).toContain('error[ATTNC1003]: unknown key "batch_szie" in `train.gan`');
    expect(err).toContain('= help: did you mean "batch_size"?');
    expect(err).toMatch(/✗ .*: 1 error\n$/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exit 2 for a missing spec file, located, without a stack trace', async () => {
    expect(await runValidate('spec/nope.yaml', text)).toBe(2);
    expect(err).toContain('error[ATTNC0001]: spec file "spec/nope.yaml" not found');
    expect(err).toContain('--> spec/nope.yaml');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exit 2 for a malformed --set', async () => {
    expect(await runValidate('spec/tiny.yaml', { ...text, set: ['train.gan.batch_size'] })).toBe(2);
    expect(err).toContain('error[ATTNC0002]');
  });

  it('applies --set before validation', async () => {
    expect(await runValidate('spec/tiny.yaml', { ...text, set: ['train.gan.batch_size=1'] })).toBe(1);
    expect(err).toContain('error[ATTNC2009]');
    expect(err).toContain('--> <--set #1>:1:22');
  });

  it('--format json prints machine-readable diagnostics on stdout', async () => {
    expect(await runValidate('test/compiler/validate/invalid/bad-enum-rnn.yaml', { ...text, format: 'json' })).toBe(1);
    const body = JSON.parse(out);
    expect(body.valid).toBe(false);
    expect(body.diagnostics[0]).toMatchObject({ code: 'ATTNC1006', severity: 'error', file: 'test/compiler/validate/invalid/bad-enum-rnn.yaml', line: 6, col: 8, help: 'did you mean "lstm"?' });
  });

  it('color only when asked', async () => {
    await runValidate('test/compiler/validate/invalid/bad-enum-rnn.yaml', { ...text, color: true });
    expect(err).toContain('\u001b[');
  });

  it('rejects an unknown --format with exit 2', async () => {
    expect(await runValidate('spec/tiny.yaml', { ...text, format: 'xml' })).toBe(2);
  });
});

describe('attnc explain', () => {
  it('prints the resolved spec as YAML; --show-origin adds comments', async () => {
    expect(await runExplain('spec/tiny.yaml', { set: [], format: 'yaml', showOrigin: true, color: false })).toBe(0);
    expect(out).toMatch(/^# spec\/tiny\.yaml resolved\n/);
    expect(out).toMatch(/gf_dim: 8\s+# from spec\/tiny\.yaml:\d+/);
    expect(out).toMatch(/type: cnn\s+# from spec\/tiny\.yaml:\d+/);
  });

  it('--format json with origins', async () => {
    expect(await runExplain('spec/tiny.yaml', { set: [], format: 'json', showOrigin: true, color: false })).toBe(0);
    const body = JSON.parse(out);
    expect(body.spec.generator.gf_dim).toBe(8);
    expect(body.origins['/generator/gf_dim']).toMatch(/^spec\/tiny\.yaml:\d+$/);
    expect(body.origins['/data/long_captions']).toBe('default');
  });

  it('invalid spec: diagnostics and exit 1', async () => {
    expect(await runExplain('test/compiler/validate/invalid/range-dropout.yaml', { set: [], format: 'yaml', color: false })).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('error[ATTNC1007]');
  });
});

describe('the attnc binary', () => {
  it('exit codes 0 / 1 / 2 through bin/attnc.mjs, no stack traces', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/attnc.mjs', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const ok = run('validate', 'spec/tiny.yaml');
    expect(ok.status, ok.stderr).toBe(0);
    const bad = run('validate', 'test/compiler/validate/invalid/extends-cycle.yaml', '--set', 'train.gan.batch_size=3');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('ATTNC1103');
    const missing = run('validate', 'does/not/exist.yaml');
    expect(missing.status).toBe(2);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
