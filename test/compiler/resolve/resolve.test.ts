import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWithBases } from '../../../compiler/resolve/extends.js';
import { applyOverrides } from '../../../compiler/resolve/overrides.js';
import { SpecSchema } from '../../../compiler/schema/spec-schema.js';
import type { Diagnostic } from '../../../compiler/spec.js';

const trees: string[] = [];
afterAll(() => trees.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attnc-resolve-'));
  trees.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function load(dir: string, main: string, sets: string[] = []) {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const layer = await loadWithBases(path.join(dir, main), { cwd: dir, sources, diagnostics, schema: SpecSchema });
  if (layer) applyOverrides(layer, sets, SpecSchema, sources, diagnostics);
  return { layer, diagnostics };
}

describe('extends', () => {
  it('bases merge left to right, then the file; maps deep-merge, lists replace', async () => {
    const dir = tree({
      'a.yaml': 'x: { p: 1, q: 2 }\nl: [1, 2, 3]\nk: a\n',
      'b.yaml': 'x: { q: 3 }\nk: b\n',
      'main.yaml': 'extends: [a.yaml, b.yaml]\nx: { r: 4 }\nl: [9]\n',
    });
    const { layer, diagnostics } = await load(dir, 'main.yaml');
    expect(diagnostics).toEqual([]);
    expect(layer!.value).toEqual({ x: { p: 1, q: 3, r: 4 }, l: [9], k: 'b' });
    expect(layer!.origins.get('/x/p')).toMatchObject({ file: 'a.yaml', line: 1 });
    expect(layer!.origins.get('/x/q')).toMatchObject({ file: 'b.yaml', line: 1 });
    expect(layer!.origins.get('/l/0')).toMatchObject({ file: 'main.yaml', line: 3 });
    expect(layer!.origins.get('/l/2')).toBeUndefined();
  });

  it('`$replace: true` replaces the inherited map', async () => {
    const dir = tree({ 'a.yaml': 'x: { p: 1, q: 2 }\n', 'main.yaml': 'extends: a.yaml\nx: { $replace: true, r: 4 }\n' });
    const { layer } = await load(dir, 'main.yaml');
    expect(layer!.value).toEqual({ x: { r: 4 } });
    expect(layer!.origins.get('/x/p')).toBeUndefined();
  });

  it('nested extends resolve relative to the extending file', async () => {
    const dir = tree({ 'main.yaml': 'extends: sub/b.yaml\n' });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub/b.yaml'), 'extends: c.yaml\nb: 1\n');
    writeFileSync(path.join(dir, 'sub/c.yaml'), 'c: 1\n');
    const { layer, diagnostics } = await load(dir, 'main.yaml');
    expect(diagnostics).toEqual([]);
    expect(layer!.value).toEqual({ b: 1, c: 1 });
  });

  it('cycles and missing files are located at the extends entry', async () => {
    const dir = tree({ 'a.yaml': 'extends: [b.yaml, gone.yaml]\n', 'b.yaml': 'extends: a.yaml\n' });
    const { layer, diagnostics } = await load(dir, 'a.yaml');
    expect(layer).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.file, d.line, d.col])).toEqual([
      ['ATTNC1103', 'b.yaml', 1, 10],
      ['ATTNC1102', 'a.yaml', 1, 19],
    ]);
  });
});

describe('--set', () => {
  const dir = tree({ 'm.yaml': 'train:\n  gan: { batch_size: 20 }\ngenerator:\n  stages:\n    - { type: init, size: 64 }\n    - { type: attention, size: 128 }\n' });

  it('sets nested values, list elements by [i] or .i, parsing YAML', async () => {
    const { layer, diagnostics } = await load(dir, 'm.yaml', ['train.gan.batch_size=8', 'generator.stages[1].residual_blocks=3', 'generator.stages.0.size=32', 'train.damsm.optimizer={lr: 1e-3}']);
    expect(diagnostics).toEqual([]);
    const v = layer!.value as any;
    expect(v.train.gan.batch_size).toBe(8);
    expect(v.generator.stages[1].residual_blocks).toBe(3);
    expect(v.generator.stages[0].size).toBe(32);
    expect(v.train.damsm.optimizer.lr).toBe(0.001);
    expect(layer!.origins.get('/train/gan/batch_size')).toMatchObject({ kind: 'override', file: '<--set #1>', line: 1, col: 22 });
    expect(layer!.origins.get('/train/damsm/optimizer/lr')).toMatchObject({ file: '<--set #4>', col: 28 });
  });

  it('unknown keys get suggestions; bad indices and syntax are located', async () => {
    const { diagnostics } = await load(dir, 'm.yaml', ['train.gan.bach_size=8', 'generator.stages[7].size=1', 'nope', 'generator.stages[1].tpye=init']);
    expect(diagnostics.map((d) => [d.code, d.file, d.col, d.help?.slice(0, 30)])).toEqual([
      ['ATTNC1003', '<--set #1>', 11, 'did you mean "batch_size"?'],
      ['ATTNC1105', '<--set #2>', 17, 'it has 2 elements (indices 0–1'],
      ['ATTNC0002', '<--set #3>', 1, 'write overrides as `--set path'],
      ['ATTNC1003', '<--set #4>', 21, 'did you mean "type"?'],
    ]);
  });
});

describe('a `set:` block changes one item of an inherited list (issue 20, item 14)', () => {
  const base = [
    'attnc: 1', 'name: base', 'generator:', '  stages:',
    '    - { type: init, size: 32 }',
    '    - { type: attention, size: 64, residual_blocks: 2, attention: { mask: original_bug } }', '',
  ].join('\n');

  it('keeps the inherited keys of the item and records the file line as origin', async () => {
    const dir = tree({ 'base.yaml': base, 'child.yaml': 'attnc: 1\nname: child\nextends: base.yaml\nset:\n  generator.stages[1].residual_blocks: 3\n' });
    const { layer, diagnostics } = await load(dir, 'child.yaml');
    expect(diagnostics).toEqual([]);
    const stages = (layer!.value as { generator: { stages: Array<Record<string, unknown>> } }).generator.stages;
    expect(stages[1]).toEqual({ type: 'attention', size: 64, residual_blocks: 3, attention: { mask: 'original_bug' } });
    expect(stages).toHaveLength(2);
    expect(layer!.origins.get('/generator/stages/1/residual_blocks')).toMatchObject({ kind: 'file', file: 'child.yaml', line: 5 });
    expect(layer!.origins.get('/generator/stages/1/size')).toMatchObject({ file: 'base.yaml', line: 6 });
    expect((layer!.value as Record<string, unknown>).set).toBeUndefined();
  });

  it('writing the list instead replaces it whole (the inherited keys of its items are gone)', async () => {
    const dir = tree({ 'base.yaml': base, 'child.yaml': 'attnc: 1\nname: child\nextends: base.yaml\ngenerator:\n  stages:\n    - { type: init, size: 32 }\n    - { type: attention, size: 64, residual_blocks: 3 }\n' });
    const { layer } = await load(dir, 'child.yaml');
    expect((layer!.value as { generator: { stages: Array<Record<string, unknown>> } }).generator.stages[1]).toEqual({ type: 'attention', size: 64, residual_blocks: 3 });
  });

  it('a map value merges (or replaces with $replace); --set still comes after it', async () => {
    const dir = tree({ 'base.yaml': base, 'child.yaml': 'attnc: 1\nname: child\nextends: base.yaml\nset:\n  generator.stages[1].attention: { mask: correct }\n  generator.stages[1].residual_blocks: 3\n' });
    const { layer, diagnostics } = await load(dir, 'child.yaml', ['generator.stages[1].residual_blocks=4']);
    expect(diagnostics).toEqual([]);
    const s1 = (layer!.value as { generator: { stages: Array<Record<string, unknown>> } }).generator.stages[1]!;
    expect(s1).toMatchObject({ residual_blocks: 4, attention: { mask: 'correct' } });
  });

  it('bad paths are located at the key in the file, with the same messages as --set', async () => {
    const dir = tree({ 'base.yaml': base, 'child.yaml': 'attnc: 1\nname: child\nextends: base.yaml\nset:\n  generator.stages[5].size: 3\n  generator.stagez.x: 1\n  extends: x.yaml\n' });
    const { layer, diagnostics } = await load(dir, 'child.yaml');
    expect(layer).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.message, d.file, d.line, d.col])).toEqual([
      ['ATTNC1105', '`generator.stages` has no element [5]', 'child.yaml', 5, 19],
      ['ATTNC1003', 'unknown key "stagez" in `generator`', 'child.yaml', 6, 13],
      ['ATTNC1003', 'unknown key "extends" in the spec', 'child.yaml', 7, 3],
    ]);
  });
});
