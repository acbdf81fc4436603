import { describe, expect, it } from 'vitest';
import { catalog, exitCodeFor, renderDiagnostics } from '../../../compiler/spec.js';
import type { Diagnostic } from '../../../compiler/spec.js';
import { helpFor, suggest } from '../../../compiler/diagnostics/suggest.js';
import { rules } from '../../../compiler/validate/rules/index.js';

const d: Diagnostic = { code: 'ATTNC1003', severity: 'error', message: 'unknown key "batch_szie" in `train`', file: 'spec/x.yaml', line: 4, col: 3, endLine: 4, endCol: 13, help: 'did you mean "batch_size"?', notes: ['a note'] };
const sources = new Map([['spec/x.yaml', 'attnc: 1\nname: x\ntrain:\n  batch_szie: 14\n']]);

describe('renderDiagnostics', () => {
  it('renders rustc/Prisma style with a code frame', () => {
    expect(renderDiagnostics([d], { sources })).toBe(
      'error[ATTNC1003]: unknown key "batch_szie" in `train`\n' +
      ' --> spec/x.yaml:4:3\n' +
      '  |\n' +
      '3 | train:\n' +
      '4 |   batch_szie: 14\n' +
      '  |   ^^^^^^^^^^\n' +
      '  = help: did you mean "batch_size"?\n' +
      '  = note: a note\n');
  });

  it('no frame without the source; no colors unless asked', () => {
    expect(renderDiagnostics([d])).not.toContain('|');
    expect(renderDiagnostics([d], { sources })).not.toContain('\u001b[');
    expect(renderDiagnostics([d], { sources, color: true })).toContain('\u001b[');
  });

  it('json format', () => {
    const body = JSON.parse(renderDiagnostics([d], { format: 'json' }));
    expect(body.diagnostics[0]).toMatchObject({ code: 'ATTNC1003', line: 4, col: 3, help: 'did you mean "batch_size"?' });
  });

  it('exit codes: 0 without errors, 2 for file/usage errors, else 1', () => {
    expect(exitCodeFor([])).toBe(0);
    expect(exitCodeFor([{ ...d, severity: 'warning' }])).toBe(0);
    expect(exitCodeFor([d])).toBe(1);
    expect(exitCodeFor([d, { ...d, code: 'ATTNC0001' }])).toBe(2);
  });
});

describe('suggestions', () => {
  it('typos, transpositions and abbreviations', () => {
    expect(suggest('batch_szie', ['batch_size', 'epochs'])).toBe('batch_size');
    expect(suggest('lstmm', ['lstm', 'gru'])).toBe('lstm');
    expect(suggest('attn', ['init', 'attention'])).toBe('attention');
    expect(suggest('zzz', ['batch_size'])).toBeUndefined();
    expect(helpFor('zzz', ['a', 'b'])).toBe('valid keys: "a", "b"');
  });
});

describe('catalog and rule registry', () => {
  it('every rule has its own catalogued code and a unique name', () => {
    const codes = rules.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    for (const r of rules) expect(catalog[r.code].title.length).toBeGreaterThan(5);
    expect(Object.keys(catalog).filter((c) => c.startsWith('ATTNC2')).sort()).toEqual([...codes].sort());
  });
});
