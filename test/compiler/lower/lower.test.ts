import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lower } from '../../../compiler/lower/lower.js';
import { loadSpec } from '../../../compiler/pipeline.js';
import { renderGraphJson, renderGraphText } from '../../../compiler/lower/render.js';
import { graphOf, ROOT, specInput } from './helpers.js';

const GOLDEN = path.join(import.meta.dirname, '__golden__');

/** The spec hash moves with every schema default; the goldens are about the graph. */
async function golden(name: string, text: string): Promise<void> {
  const actual = text.replace(/sha256 [0-9a-f]+/, 'sha256 <hash>');
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(file, actual);
  }
  expect(actual).toBe(await readFile(file, 'utf8'));
}

describe('lowering', () => {
  it('infers symbolic shapes through the generator', async () => {
    const g = await graphOf('attngan2');
    const gen = g.networks.find((n) => n.id === 'generator')!;
    const h2 = gen.modules.find((m) => m.id === 'h_net2')!;
    expect(h2.inputs.map((t) => t.shape)).toEqual([
      ['B', 64, 64, 32],
      ['B', 'T', 256],
      ['B', 'T'],
    ]);
    expect(h2.outputs.map((t) => t.shape)).toEqual([
      ['B', 128, 128, 32],
      ['B', 64, 64, 'T'],
    ]);
    expect(h2.origin).toEqual({ kind: 'file', file: 'spec/attngan2.yaml', line: 11, pointer: '/generator/stages/1' });
    expect(gen.outputs.map((t) => t.shape[1])).toEqual([64, 128, 256]);
  });

  it('assigns parameters to phases: encoders to damsm when it trains them, G and D to gan', async () => {
    const tiny = await graphOf('tiny');
    const phaseOf = (id: string) => new Set(tiny.networks.find((n) => n.id === id)!.params.map((p) => p.phase));
    expect(phaseOf('text_encoder')).toEqual(new Set(['damsm']));
    expect(phaseOf('generator')).toEqual(new Set(['gan']));
    expect(phaseOf('discriminator_32')).toEqual(new Set(['gan']));
    const birds = await graphOf('attngan2'); // damsm disabled: released encoders
    expect(new Set(birds.networks.find((n) => n.id === 'text_encoder')!.params.map((p) => p.phase))).toEqual(new Set([null]));
    expect(birds.phases.map((p) => [p.id, p.enabled, p.trains])).toEqual([
      ['damsm', false, ['text_encoder', 'image_encoder']],
      ['gan', true, ['generator', 'discriminator_64', 'discriminator_128', 'discriminator_256']],
    ]);
  });

  it('module ids are unique and stable per network', async () => {
    for (const name of ['attngan2', 'tiny']) {
      const g = await graphOf(name);
      for (const n of g.networks) expect(new Set(n.modules.map((m) => m.id)).size).toBe(n.modules.length);
      for (const n of g.networks) expect(new Set(n.params.map((p) => p.name)).size).toBe(n.params.length);
    }
  });

  it.each([
    ['ATTNC3001', '/generator/stages/0/channels_mult', (s: any) => { s.generator.gf_dim = 12; s.generator.stages[0].channels_mult = 1; }, 'cannot halve'],
    ['ATTNC3002', '/discriminators', (s: any) => { s.generator.stages[0].size = 8; s.generator.stages[1].size = 16; }, 'no discriminator for 8×8'],
    ['ATTNC3004', '/text_encoder/layers', (s: any) => { s.text_encoder.layers = 2; }, 'single-layer bidirectional'],
    ['ATTNC3004', '/train/gan/init', (s: any) => { s.train.gan.init = 'glorot'; }, "init 'glorot'"],
  ])('%s at %s', async (code, pointer, mutate, text) => {
    const input = await specInput('tiny');
    const spec = structuredClone(input.spec);
    mutate(spec);
    const r = lower({ ...input, spec });
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === code)!;
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d.pointer).toBe(pointer);
    expect(d.message).toContain(text);
    expect(d.file).toMatch(/^spec\//);
    expect(d.line).toBeGreaterThan(0);
  });

  it.each([
    ['ATTNC2018', 'image_encoder.local_size=6', (s: any) => { s.image_encoder.local_size = 6; }, /local_size 6 unreachable/],
    ['ATTNC2002', 'generator.stages[1].size=128', (s: any) => { s.generator.stages[1].size = 128; }, /stage size 128 after 32/],
    ['ATTNC2004', 'generator.stages[1].attention.word_dim=32', (s: any) => { s.generator.stages[1].attention.word_dim = 32; }, /word_dim 32/],
  ])('validation (%s) guarantees what lowering only asserts: %s', async (code, set, mutate, bug) => {
    // Through the front end the spec never reaches lowering…
    await expect(specInput('tiny', [set])).rejects.toThrow();
    const r = await loadSpec(path.join(ROOT, 'spec/tiny.yaml'), { cwd: ROOT, set: [set] });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => d.code)).toContain(code);
    // …and lowering a spec that skipped validation is a compiler bug, not a diagnostic.
    const input = await specInput('tiny');
    const spec = structuredClone(input.spec);
    mutate(spec);
    expect(() => lower({ ...input, spec })).toThrow(bug);
  });

  it('--graph text and JSON (golden)', async () => {
    const g = await graphOf('attngan2');
    await golden('attngan2.graph.txt', renderGraphText(g));
    await golden('tiny.graph.txt', renderGraphText(await graphOf('tiny'), { params: true }));
    const json = JSON.parse(renderGraphJson(g));
    expect(json.networks.map((n: { id: string; paramCount: number }) => [n.id, n.paramCount])[2]).toEqual(['generator', 7_084_592]);
  });
});
