import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, SourceFiles } from '../diagnostics/types.js';
import { suggest } from '../diagnostics/suggest.js';
import { packageRoot } from '../package-root.js';
import { isPlainMap, joinPointer } from '../parse/pointer.js';
import { parseYaml } from '../parse/yaml.js';
import { layerFromParsed } from './layer.js';
import type { Layer } from './layer.js';
import { mergeLayer } from './merge.js';
import { applySetEntries, type SetEntry } from './overrides.js';
import { locationOf, Origins } from './origins.js';
import type { Location } from './origins.js';

export interface LoadContext {
  cwd: string;
  sources: SourceFiles;
  diagnostics: Diagnostic[];
  /** The spec schema, which `set:` paths are checked against. */
  schema: object;
}

/**
 * A spec path as diagnostics print it, by the runtime's rule (runtime/util/shown-path.ts): relative
 * to the working folder when it lies inside it, absolute when it does not — `/data/my.yaml`, never
 * `../../data/my.yaml`, which neither the user typed nor can read at a glance.
 */
export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return abs;
  return rel.split(path.sep).join('/');
}

/**
 * `extends: attnc:<name>` names a spec shipped with attnc, wherever attnc is installed: a base
 * (`<attnc>/spec/bases/<name>.yaml`: attngan, birds, coco) or a whole shipped spec
 * (`<attnc>/spec/<name>.yaml`: tiny, attngan2, …).
 */
export const SHIPPED_PREFIX = 'attnc:';

function shippedDirs(): string[] {
  return [path.join(packageRoot(), 'spec', 'bases'), path.join(packageRoot(), 'spec')];
}

/** The names `attnc:<name>` accepts, sorted: bases first, then the shipped specs. */
export function shippedNames(): string[] {
  const names: string[] = [];
  for (const dir of shippedDirs()) {
    try {
      names.push(...readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort());
    } catch {
      // A trimmed install without spec/: no shipped names.
    }
  }
  return names;
}

export type ShippedRef = { abs: string } | { error: string; help?: string };

/**
 * `attnc:<name>` → the shipped file, or why not (with the nearest name); undefined for anything
 * else (a path). One rule for `extends` entries and for every spec a command takes.
 */
export function resolveShipped(value: string): ShippedRef | undefined {
  if (!value.startsWith(SHIPPED_PREFIX)) return undefined;
  const name = value.slice(SHIPPED_PREFIX.length).replace(/\.yaml$/, '');
  const names = shippedNames();
  if (!names.includes(name)) {
    const near = suggest(name, names);
    return {
      error: `no shipped spec or base "${value}"`,
      help: near !== undefined ? `did you mean "${SHIPPED_PREFIX}${near}"?` : `shipped: ${names.map((n) => `${SHIPPED_PREFIX}${n}`).join(', ')}`,
    };
  }
  const abs = shippedDirs().map((d) => path.join(d, `${name}.yaml`)).find((f) => existsSync(f))!;
  return { abs };
}

/**
 * How a file is named in diagnostics, origins and generated comments: relative to the project,
 * except a shipped spec or base outside it (under node_modules), which is `attnc:<name>`, so
 * nothing depends on where attnc was installed.
 */
export function specDisplay(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  const inProject = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
  if (!inProject && abs.endsWith('.yaml') && shippedDirs().includes(path.dirname(abs))) return `${SHIPPED_PREFIX}${path.basename(abs, '.yaml')}`;
  return displayPath(abs, cwd);
}

/**
 * Load a spec file and everything it `extends` (relative to the file, or `attnc:<name>`), merged left
 * to right and then the file itself. Returns undefined when the file or a base could not be loaded
 * (diagnostics say why).
 */
export async function loadWithBases(abs: string, ctx: LoadContext, stack: string[] = [], from?: Location): Promise<Layer | undefined> {
  const display = specDisplay(abs, ctx.cwd);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable' : `cannot be read (${code ?? String(e)})`;
    if (from) {
      ctx.diagnostics.push({
        code: 'ATTNC1102', severity: 'error', message: `base spec "${display}" ${why}`, ...from,
        help: shippedNames().includes(path.basename(abs, '.yaml'))
          ? `did you mean the shipped \`${SHIPPED_PREFIX}${path.basename(abs, '.yaml')}\`? (\`extends\` paths are relative to the file that names them; this one resolved to ${display})`
          : `\`extends\` paths are relative to the file that names them (this one resolved to ${display}); shipped specs and bases are \`${SHIPPED_PREFIX}<name>\``,
      });
    } else {
      ctx.diagnostics.push({ code: 'ATTNC0001', severity: 'error', message: `spec file "${display}" ${why}`, file: display, line: 0, col: 0 });
    }
    return undefined;
  }
  ctx.sources.set(display, text);
  const parsed = parseYaml(text, display);
  ctx.diagnostics.push(...parsed.diagnostics);
  if (parsed.value === undefined) return undefined;
  if (!isPlainMap(parsed.value)) {
    const s = parsed.spans.get('')!.value;
    ctx.diagnostics.push({
      code: 'ATTNC1010', severity: 'error',
      message: parsed.value === null ? `spec file "${display}" is empty` : `a spec must be a map of keys, not ${Array.isArray(parsed.value) ? 'a list' : 'a scalar'}`,
      file: display, line: s.line, col: s.col, endLine: s.endLine, endCol: s.endCol,
      help: 'start with `attnc: 1` and `name: <model name>`',
    });
    return undefined;
  }
  const self = layerFromParsed(parsed, 'file', display, ctx.diagnostics);
  const doc = self.value as Record<string, unknown>;
  const sets = takeSetEntries(self, display, ctx);
  if (sets === undefined) return undefined;
  if (!('extends' in doc)) return applySetEntries(self, sets, ctx.schema, ctx.diagnostics) ? self : undefined;

  const raw = doc.extends;
  const extendsOrigin = self.origins.get('/extends')!;
  delete doc.extends;
  self.origins.deleteTree('/extends');
  const entries: Array<{ value: unknown; loc: Location }> = [];
  if (typeof raw === 'string') entries.push({ value: raw, loc: locationOf(extendsOrigin) });
  else if (Array.isArray(raw)) {
    const listOrigins = parsed.spans;
    raw.forEach((v, i) => {
      const s = listOrigins.get(`/extends/${i}`)!.value;
      entries.push({ value: v, loc: { file: display, line: s.line, col: s.col, endLine: s.endLine, endCol: s.endCol } });
    });
  } else {
    ctx.diagnostics.push({
      code: 'ATTNC1101', severity: 'error', message: '`extends` must be a file path or a list of file paths',
      ...locationOf(extendsOrigin), help: 'e.g. `extends: attnc:attngan`, `extends: bases/birds.yaml` or `extends: [attnc:attngan, attnc:birds]`',
    });
    return undefined;
  }

  const merged: Layer = { value: {}, origins: new Origins(), replaceAt: new Set() };
  let ok = true;
  for (const { value, loc } of entries) {
    if (typeof value !== 'string' || value.trim() === '') {
      ctx.diagnostics.push({ code: 'ATTNC1101', severity: 'error', message: 'each `extends` entry must be a non-empty file path', ...loc });
      ok = false;
      continue;
    }
    const ref = resolveShipped(value);
    if (ref && 'error' in ref) {
      ctx.diagnostics.push({ code: 'ATTNC1102', severity: 'error', message: ref.error, ...loc, ...(ref.help ? { help: ref.help } : {}) });
      ok = false;
      continue;
    }
    const baseAbs = ref ? ref.abs : path.resolve(path.dirname(abs), value);
    const chain = [...stack, abs];
    if (chain.includes(baseAbs)) {
      const cycle = [...chain.slice(chain.indexOf(baseAbs)), baseAbs].map((f) => specDisplay(f, ctx.cwd));
      ctx.diagnostics.push({
        code: 'ATTNC1103', severity: 'error', message: `\`extends\` cycle: "${value}" is already being loaded`, ...loc,
        notes: [`cycle: ${cycle.join(' → ')}`], help: 'a base must not extend, directly or indirectly, a file that extends it',
      });
      ok = false;
      continue;
    }
    const base = await loadWithBases(baseAbs, ctx, chain, loc);
    if (!base) { ok = false; continue; }
    mergeLayer(merged, base);
  }
  if (!ok) return undefined;
  mergeLayer(merged, self);
  return applySetEntries(merged, sets, ctx.schema, ctx.diagnostics) ? merged : undefined;
}

/**
 * A file's `set:` block, taken out of the layer: its entries, applied after the file is merged over
 * its bases (compiler/resolve/overrides.ts). Undefined (with a diagnostic) when `set` is not a map.
 */
function takeSetEntries(self: Layer, display: string, ctx: LoadContext): SetEntry[] | undefined {
  const doc = self.value as Record<string, unknown>;
  if (!('set' in doc)) return [];
  const block = doc.set;
  const origin = self.origins.get('/set');
  delete doc.set;
  if (!isPlainMap(block)) {
    ctx.diagnostics.push({
      code: 'ATTNC1105', severity: 'error', message: '`set` must be a map of `path: value` entries',
      ...(origin ? locationOf(origin) : { file: display, line: 1, col: 1 }),
      help: 'e.g. `set: { generator.stages[1].residual_blocks: 3 }`',
    });
    self.origins.deleteTree('/set');
    return undefined;
  }
  const entries: SetEntry[] = Object.entries(block).map(([path, value]) => {
    const at = joinPointer('/set', path);
    const o = self.origins.get(at);
    const origins = new Origins();
    for (const [p, v] of self.origins.entries()) if (p === at || p.startsWith(`${at}/`)) origins.set(p.slice(at.length), v);
    const replaceAt = new Set([...self.replaceAt].filter((p) => p === at || p.startsWith(`${at}/`)).map((p) => p.slice(at.length)));
    return { path, at: { file: display, line: o?.keyLine ?? o?.line ?? 1, col: o?.keyCol ?? o?.col ?? 1 }, value: { value, origins, replaceAt } };
  });
  self.origins.deleteTree('/set');
  for (const p of [...self.replaceAt]) if (p === '/set' || p.startsWith('/set/')) self.replaceAt.delete(p);
  return entries;
}
