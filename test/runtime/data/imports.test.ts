import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const DATA = path.resolve(import.meta.dirname, '../../../runtime/data');

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (type-only ones and re-exports included), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]/gm)) {
    out.push(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  for (const m of text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  return out;
}

/** The cycles of a directed graph, each as a path a → … → a (one per strongly connected group). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue; // outside runtime/data
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

describe('runtime/data import graph', () => {
  it('has no import cycles (type-only imports count too)', () => {
    const files = sources(DATA);
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    expect(files.length).toBeGreaterThan(20);
    const rel = (f: string) => path.relative(DATA, f);
    expect(cycles(graph).map((c) => c.map(rel).join(' → '))).toEqual([]);
  });

  it('the scan finds a planted cycle', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
