import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../compiler/parse/yaml.js';
import { toDotted, toPointer } from '../../../compiler/parse/pointer.js';

describe('parseYaml', () => {
  it('keeps key and value positions for every node', () => {
    const r = parseYaml('a: 1\nb:\n  c: [x, 2]\n', 'f.yaml');
    expect(r.value).toEqual({ a: 1, b: { c: ['x', 2] } });
    expect(r.spans.get('/b/c')).toEqual({ key: { line: 3, col: 3, endLine: 3, endCol: 4 }, value: { line: 3, col: 6, endLine: 3, endCol: 12 } });
    expect(r.spans.get('/b/c/1')!.value).toMatchObject({ line: 3, col: 10 });
  });

  it('YAML 1.2 core scalars: 2e-4 is a number, yes is a string', () => {
    expect(parseYaml('lr: 2e-4\nflag: yes\nn: ~\n', 'f').value).toEqual({ lr: 0.0002, flag: 'yes', n: null });
  });

  it('duplicate keys are located errors', () => {
    const r = parseYaml('a: 1\nb: 2\na: 3\n', 'f.yaml');
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toMatchObject([{ code: 'ATTNC1002', line: 3, col: 1, endCol: 2, message: 'duplicate key "a"' }]);
  });

  it('`__proto__` is an ordinary key', () => {
    const r = parseYaml('__proto__: { polluted: true }\n', 'f');
    expect(Object.keys(r.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('column offset for --set values', () => {
    const r = parseYaml('[1, x]', '<--set #1>', 10);
    expect(r.spans.get('/1')!.value).toMatchObject({ line: 1, col: 15 });
  });

  it('self-referencing aliases are errors, not hangs', () => {
    const r = parseYaml('a: &x [1, *x]\n', 'f');
    expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });
});

describe('pointers', () => {
  it('dotted ↔ JSON pointer', () => {
    expect(toPointer('generator.stages[1].residual_blocks')).toBe('/generator/stages/1/residual_blocks');
    expect(toDotted('/generator/stages/1/residual_blocks')).toBe('generator.stages[1].residual_blocks');
    expect(toPointer('/a/b')).toBe('/a/b');
    expect(toDotted('/a~1b/c')).toBe('"a/b".c');
  });
});
