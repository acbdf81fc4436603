/**
 * The one-way data flow (docs/architecture.md): the compiler may know the runtime (it emits code
 * that imports it), the runtime never knows the compiler. Generated code and the runtime read the
 * graph and plan only as emitted constants, never through compiler types.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('layering', () => {
  it('finds imports the way TypeScript writes them', () => {
    const src = "import a from './a.js';\nimport type { B } from '../b.js';\nexport { c } from \"./c.js\";\nconst d = await import('./d.js');\nimport './e.js';";
    expect(specifiers(src)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  it('runtime/ imports nothing outside runtime/ (in particular nothing from compiler/)', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(path.join(root, 'runtime'))) {
      const rel = path.relative(root, file).split(path.sep).join('/');
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
        if (!target.startsWith('runtime/')) offenders.push(`${rel} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
