import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSpec, findProjectRoot, runPipeline } from '../../../compiler/pipeline.js';
import { ROOT } from '../lower/helpers.js';

const tiny = path.join(ROOT, 'spec', 'tiny.yaml');

describe('pipeline: one driver, stopping after the phase asked for', () => {
  it('validate → only the resolved spec; lower → + graph; emit → + files; typecheck → + verdict', async () => {
    const v = await runPipeline(tiny, 'validate');
    expect(v.ok && Object.keys(v).includes('graph')).toBe(false);
    const l = await runPipeline(tiny, 'lower');
    if (!l.ok) throw new Error('lower failed');
    expect(l.graph.name).toBe('tiny');
    expect('files' in l).toBe(false);
    const e = await runPipeline(tiny, 'emit');
    if (!e.ok) throw new Error('emit failed');
    expect(e.files.paths()).toContain('generator.ts');
    expect(e.outDir).toBe(path.join(ROOT, 'generated', 'tiny'));
    expect('typecheck' in e).toBe(false);
    expect(Object.keys(e.timings)).toEqual(['spec', 'lower', 'emit']);
    // The same bytes as the committed tree: compile, diff and tests all go through this driver.
    expect(e.files.get('generator.ts')).toBe(readFileSync(path.join(ROOT, 'generated/tiny/generator.ts'), 'utf8'));
  });

  it('display paths are relative to the project root whatever the working directory', async () => {
    const r = await runPipeline(path.relative(process.cwd(), tiny), 'lower');
    if (!r.ok) throw new Error('lower failed');
    expect(r.graph.specFile).toBe('spec/tiny.yaml');
    expect(r.projectRoot).toBe(ROOT);
    expect(findProjectRoot(path.join(ROOT, 'spec', 'bases'))).toBe(ROOT);
  });

  it('stops at the first failing phase with located diagnostics', async () => {
    const bad = await runPipeline(tiny, 'typecheck', { set: ['generator.stages[1].size=128'] });
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics.map((d) => d.code)).toContain('ATTNC2002');
    expect(Object.keys(bad.timings)).toEqual(['spec']);
    const unsupported = await runPipeline(tiny, 'emit', { set: ['train.gan.init=glorot'] });
    expect(unsupported.ok).toBe(false);
    expect(unsupported.diagnostics.map((d) => [d.code, d.file, d.pointer])).toEqual([['ATTNC3004', '<--set #1>', '/train/gan/init']]);
  });

  it('compileSpec without a type check stops after emission', async () => {
    const r = await compileSpec(tiny, { typecheck: false });
    expect(r.ok && r.typecheck).toBe(null);
  });
});
