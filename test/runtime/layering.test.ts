/**
 * The one-way data flow (docs/architecture.md, "Layers"): the compiler may know the runtime (it
 * emits code that imports it), the runtime never knows the compiler; inside the runtime every folder
 * sits on one layer and imports only its own folder and the layers below; and the inference path
 * (what a browser bundle of a generated model needs) reaches no Node built-in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const runtime = path.join(root, 'runtime');

/**
 * The runtime's layers, bottom first. A folder imports its own files and folders of lower layers;
 * folders of one layer do not import each other. `runtime/tf.ts` (tfjs as the runtime sees it)
 * belongs to the bottom layer.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['io'],
  ['backend'],
  ['nn'],
  ['optim'],
  ['blocks', 'discriminators', 'encoders', 'losses'],
  ['data'],
  ['model'],
  ['figures'],
  ['train', 'eval'],
];

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

/** Value imports only: `import type` and `export type` vanish from the emitted JavaScript. */
function valueSpecifiers(source: string): string[] {
  return specifiers(source.replace(/^\s*(?:import|export)\s+type\s[^;]*;/gm, ''));
}

const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

/** The runtime folder of a file under runtime/ ('util' for runtime/tf.ts). */
function folderOf(file: string): string {
  const parts = path.relative(runtime, file).split(path.sep);
  return parts.length === 1 ? 'util' : parts[0]!;
}

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

/** A relative or `attnc/runtime/…` specifier of `from` → the .ts file it names, or null for a package. */
function resolveSpecifier(from: string, spec: string): string | null {
  let target: string;
  if (spec.startsWith('.')) target = path.resolve(path.dirname(from), spec);
  else if (spec.startsWith('attnc/runtime/')) target = path.join(runtime, spec.slice('attnc/runtime/'.length));
  else return null;
  return target.replace(/\.js$/, '.ts');
}

describe('layering', () => {
  it('finds imports the way TypeScript writes them', () => {
    const src = "import a from './a.js';\nimport type { B } from '../b.js';\nexport { c } from \"./c.js\";\nconst d = await import('./d.js');\nimport './e.js';";
    expect(specifiers(src)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
    expect(valueSpecifiers(src)).toEqual(['./a.js', './c.js', './d.js', './e.js']);
  });

  it('runtime/ imports nothing outside runtime/ (in particular nothing from compiler/)', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(runtime)) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        if (!rel(path.resolve(path.dirname(file), spec)).startsWith('runtime/')) offenders.push(`${rel(file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every runtime folder has a layer', () => {
    const folders = readdirSync(runtime).filter((f) => statSync(path.join(runtime, f)).isDirectory());
    expect(folders.filter((f) => !layerOf.has(f))).toEqual([]);
    expect([...layerOf.keys()].filter((f) => !folders.includes(f))).toEqual([]);
  });

  it('every runtime file imports only its own folder and lower layers (types included)', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(runtime)) {
      const from = folderOf(file);
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const target = resolveSpecifier(file, spec);
        if (!target) continue;
        const to = folderOf(target);
        if (to === from) continue;
        if (!(layerOf.get(to)! < layerOf.get(from)!)) offenders.push(`${rel(file)} (${from}, layer ${layerOf.get(from)}) imports ${spec} (${to}, layer ${layerOf.get(to)})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the layering check catches an upward import', () => {
    // data/ is above io/: io importing data would be reported.
    expect(layerOf.get('io')! < layerOf.get('data')!).toBe(true);
    expect(layerOf.get('blocks')).toBe(layerOf.get('losses'));
  });

  /**
   * What a browser bundle of a generated model runs: its model, networks and `sample`, the blocks
   * and encoders, the tokenizer and vocabulary, the noise source and reading weights from bytes.
   * None of it may load a Node built-in (fs, path, module, child_process, zlib …); Node-only I/O
   * lives in files the inference path does not import.
   */
  it('the inference path imports no Node built-in', () => {
    const generated = path.join(root, 'generated', 'tiny');
    const entries = [
      ...['model.ts', 'sample.ts', 'generator.ts', 'text-encoder.ts', 'image-encoder.ts', 'plan.ts'].map((f) => path.join(generated, f)),
      ...['model/contract.ts', 'model/noise.ts', 'model/inference.ts', 'data/tokenizer.ts', 'data/vocab.ts', 'nn/state.ts', 'io/safetensors.ts'].map((f) => path.join(runtime, f)),
      // The web page and its worker (`attnc export --format web`), which esbuild bundles for the browser.
      ...['page.ts', 'worker.ts'].map((f) => path.join(root, 'web', f)),
    ];
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string, via: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(existsSync(file), `${rel(file)} (imported via ${via.map(rel).join(' → ')})`).toBe(true);
      for (const spec of valueSpecifiers(readFileSync(file, 'utf8'))) {
        if (builtins.has(spec)) offenders.push(`${[...via, file].map(rel).join(' → ')} imports ${spec}`);
        const target = resolveSpecifier(file, spec);
        if (target) visit(target, [...via, file]);
      }
    };
    for (const e of entries) visit(e, []);
    expect(seen.size).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});
