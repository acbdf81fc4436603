import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiff } from '../../../cli/commands/diff.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
});
afterEach(() => vi.restoreAllMocks());

const opts = (o: Partial<Parameters<typeof runDiff>[2]> = {}) => ({ setA: [], setB: [], format: 'text', color: false, ...o });
const INVALID = 'test/compiler/validate/invalid/bad-enum-rnn.yaml';

describe('attnc diff: exit status', () => {
  it('without --exit-code: 0 whatever the difference, the report on stdout', async () => {
    expect(await runDiff('spec/attngan1.yaml', 'spec/attngan2.yaml', opts())).toBe(0);
    expect(out).toContain('classification: partially-compatible (--exit-code 2)');
    expect(err).toBe('');
  });

  it('--exit-code: 0 none, 1 training-only, 1 weight-compatible, 2 partially-compatible', async () => {
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ exitCode: true }))).toBe(0);
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ exitCode: true, setB: ['losses[1].lambda=50'] }))).toBe(1);
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ exitCode: true, setA: ['generator.stages[2].attention.mask=original_bug'] }))).toBe(1);
    expect(await runDiff('spec/attngan1.yaml', 'spec/attngan2.yaml', opts({ exitCode: true }))).toBe(2);
    expect(out).toContain('a spec/bases/birds.yaml:21  b --set-b losses[1].lambda=50');
    expect(out).toContain('a --set-a generator.stages[2].attention.mask=original_bug  b default');
  });

  it('an invalid spec: rendered diagnostics, exit 1 (validate\'s code), or 3 with --exit-code', async () => {
    expect(await runDiff(INVALID, 'spec/attngan2.yaml', opts())).toBe(1);
    expect(err).toContain('error[ATTNC1006]');
    expect(err).toContain(`✗ a: ${INVALID}: 1 error`);
    expect(out).toBe('');
    expect(await runDiff('spec/attngan2.yaml', INVALID, opts({ exitCode: true }))).toBe(3);
    expect(err).toContain(`✗ b: ${INVALID}: 1 error`);
  });

  it('a missing file or a bad --set: exit 2, or 3 with --exit-code', async () => {
    expect(await runDiff('spec/nope.yaml', 'spec/attngan2.yaml', opts())).toBe(2);
    expect(err).toContain('error[ATTNC0001]');
    expect(await runDiff('spec/attngan2.yaml', 'spec/nope.yaml', opts({ exitCode: true }))).toBe(3);
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ setB: ['losses[1].lambda'] }))).toBe(2);
    expect(err).toContain('error[ATTNC0002]');
  });

  it('usage errors: bad --format, --set on a folder, a folder that is not generated', async () => {
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ format: 'yaml' }))).toBe(2);
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ format: 'yaml', exitCode: true }))).toBe(3);
    expect(await runDiff('generated/attngan2', 'spec/attngan2.yaml', opts({ setA: ['train.gan.seed=1'] }))).toBe(2);
    expect(err).toContain('error: --set-a/--set-b apply to spec files, not to the generated folder generated/attngan2');
    expect(await runDiff('spec/bases', 'spec/attngan2.yaml', opts({ exitCode: true }))).toBe(3);
    expect(err).toContain('error: spec/bases/manifest.json is missing: not a folder written by `attnc compile`');
  });
});

describe('attnc diff: inputs and formats', () => {
  it('--format json: the result on stdout; errors as JSON too', async () => {
    expect(await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ format: 'json', setB: ['train.gan.batch_size=8'], exitCode: true }))).toBe(1);
    const body = JSON.parse(out);
    expect(body).toMatchObject({ class: 'training-only', exitCode: 1, spec: [{ path: 'train.gan.batch_size', a: 20, b: 8, class: 'training-only' }] });
    out = '';
    expect(await runDiff(INVALID, 'spec/attngan2.yaml', opts({ format: 'json' }))).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, errors: [{ side: 'a', file: INVALID, diagnostics: [{ code: 'ATTNC1006' }] }] });
  });

  it('generated folders: read from graph.json, classified like their specs', async () => {
    expect(await runDiff('generated/attngan1', 'generated/attngan2', opts({ format: 'json' }))).toBe(0);
    const body = JSON.parse(out);
    expect(body.a).toEqual({ label: 'generated/attngan1', kind: 'generated', name: 'attngan1' });
    expect(body.class).toBe('partially-compatible');
    expect(body.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder', 'discriminator_64', 'discriminator_128']);
    expect(body.spec.find((c: { path: string }) => c.path === 'generator.stages[2]').originB.text).toBe('generated/attngan2/graph.json');
  });

  it('colors only when asked', async () => {
    await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ setB: ['losses[1].lambda=50'] }));
    expect(out).not.toContain('\u001b[');
    await runDiff('spec/attngan2.yaml', 'spec/attngan2.yaml', opts({ setB: ['losses[1].lambda=50'], color: true }));
    expect(out).toContain('\u001b[');
  });

  it('a committed generated folder against its spec: nothing to recompile', async () => {
    expect(await runDiff('generated/attngan2', 'spec/attngan2.yaml', opts({ exitCode: true, patch: true }))).toBe(0);
    expect(out).toContain('code: generated code identical');
  });

  it('through the CLI program: the command is registered and its options parse', async () => {
    const { main } = await import('../../../cli/main.js');
    try {
      expect(await main(['diff', 'spec/attngan2.yaml', 'spec/attngan2.yaml', '--set-b', 'losses[1].lambda=50', '--set-b', 'train.gan.seed=7', '--exit-code', '--no-color'])).toBe(1);
    } finally {
      process.exitCode = undefined;
    }
    expect(out).toContain('~ losses[1].lambda  training-only  5 → 50');
    expect(out).toContain('~ train.gan.seed    training-only  100 → 7');
  });

  it('--help documents the classes and both exit-code conventions', async () => {
    const { buildProgram } = await import('../../../cli/main.js');
    const diff = (await buildProgram()).commands.find((c) => c.name() === 'diff')!;
    let help = '';
    diff.configureOutput({ writeOut: (s) => (help += s) });
    diff.outputHelp();
    expect(help).toContain('Usage: attnc diff [options] <a> <b>');
    expect(help).toContain('without --exit-code   0 compared (whatever the difference), 1 invalid spec, 2 usage or I/O error');
    expect(help).toContain('with --exit-code      0 none, 1 training-only or weight-compatible, 2 partially-compatible or');
  });
});

describe('attnc diff: provenance-only code differences (issue 20, item 14)', () => {
  it('the same values in another file: "only provenance comments changed", not "11 generated files differ"', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-diff-prov-'));
    try {
      const same = path.join(dir, 'same.yaml');
      fs.writeFileSync(same, 'attnc: 1\nname: tiny\nextends: attnc:tiny\n');
      expect(await runDiff('spec/tiny.yaml', same, opts())).toBe(0);
      expect(out).toContain("code: only provenance comments changed (the spec's file name and lines in 11 generated files)");
      expect(out).not.toMatch(/generated files differ/);
      out = '';
      expect(await runDiff('spec/tiny.yaml', same, opts({ format: 'json' }))).toBe(0);
      const json = JSON.parse(out) as { code: Array<{ file: string; provenanceOnly: boolean }> };
      expect(json.code.length).toBe(11);
      expect(json.code.every((f) => f.provenanceOnly)).toBe(true);
      // A real change besides: those files are named, the rest counted.
      out = '';
      fs.writeFileSync(same, 'attnc: 1\nname: tiny\nextends: attnc:tiny\nlosses:\n  - { type: adversarial, conditional: true, unconditional: true, mismatched: true }\n  - { type: damsm, lambda: 7.0, gamma1: 4.0, gamma2: 5.0, gamma3: 10.0, stage: last }\n  - { type: kl, weight: 1.0 }\n');
      expect(await runDiff('spec/tiny.yaml', same, opts())).toBe(0);
      expect(out).toMatch(/code: 3 generated files differ: losses\.ts, model\.ts, plan\.ts; 8 more only in provenance comments/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
