import type { Diagnostic, SourceFiles } from '../diagnostics/types.js';
import { helpFor } from '../diagnostics/suggest.js';
import { hasOwn, isPlainMap, joinPointer, setOwn, toDotted } from '../parse/pointer.js';
import { parseYaml } from '../parse/yaml.js';
import { allowedKeys, childSchema, isArraySchema } from '../schema/navigate.js';
import { layerFromParsed } from './layer.js';
import type { Layer } from './layer.js';
import { mergeAt } from './merge.js';
import { Origins } from './origins.js';

interface Segment { name: string; col: number; end: number; index: boolean; line?: number }

/** The pseudo-file name of the i-th (1-based) override, as diagnostics and origins show it. */
export function overrideFile(i: number): string {
  return `<--set #${i}>`;
}

/**
 * Apply `--set path=value` overrides in order. Paths are dotted (`train.gan.batch_size`,
 * `generator.stages[1].residual_blocks`, `generator.stages.1.size`); values are YAML. A path is
 * checked against the schema, so a typo is an unknown key with a suggestion, like in a file.
 */
export function applyOverrides(layer: Layer, sets: readonly string[], schema: object, sources: SourceFiles, diagnostics: Diagnostic[]): boolean {
  let ok = true;
  sets.forEach((text, i) => {
    const file = overrideFile(i + 1);
    sources.set(file, text);
    if (!applyOne(layer, text, file, schema, diagnostics)) ok = false;
  });
  return ok;
}

function applyOne(layer: Layer, text: string, file: string, schema: object, diagnostics: Diagnostic[]): boolean {
  const eq = text.indexOf('=');
  const usage = (message: string, col = 1, endCol?: number): false => {
    diagnostics.push({ code: 'ATTNC0002', severity: 'error', message, file, line: 1, col, endLine: 1, endCol: endCol ?? Math.max(col + 1, text.length + 1), help: 'write overrides as `--set path.to.key=value`, e.g. `--set train.gan.batch_size=8` or `--set generator.stages[1].residual_blocks=3`' });
    return false;
  };
  if (eq < 0) return usage(`override "${text}" has no \`=\``);
  const segs = parsePath(text.slice(0, eq));
  if (typeof segs === 'string') return usage(segs, 1, eq + 1);
  if (segs.length === 0) return usage('override has an empty path', 1, eq + 1);
  const at = { file, line: 1, col: 1, kind: 'override' as const };
  return navigate(layer, segs, schema, at, diagnostics, (ptr, container, key, seg) => setAt(layer, ptr, container, key, text.slice(eq + 1), eq + 1, file, diagnostics, seg));
}

/**
 * A spec file's `set:` block: `path: value` entries applied in order after the file is merged over
 * its bases — the way to change one item of an inherited list (`generator.stages[1].residual_blocks:
 * 3`), which a list written in the file would replace whole. Paths as `--set`; values are the file's
 * YAML, with their positions in it.
 */
export interface SetEntry {
  /** The dotted path as written. */
  path: string;
  /** Where the path (the map key) is written. */
  at: { file: string; line: number; col: number };
  /** The value, rooted at '' (origins and `$replace` markers of the file). */
  value: Layer;
}

export function applySetEntries(layer: Layer, entries: readonly SetEntry[], schema: object, diagnostics: Diagnostic[]): boolean {
  let ok = true;
  for (const e of entries) {
    const where = { ...e.at, kind: 'file' as const };
    const segs = parsePath(e.path);
    if (typeof segs === 'string' || segs.length === 0) {
      diagnostics.push({ code: 'ATTNC1105', severity: 'error', message: typeof segs === 'string' ? segs.replace('override path', 'path') : 'empty path in `set`', file: e.at.file, line: e.at.line, col: e.at.col, help: 'write `set:` entries as `path.to.key: value`, e.g. `generator.stages[1].residual_blocks: 3`' });
      ok = false;
      continue;
    }
    const applied = navigate(layer, segs, schema, where, diagnostics, (ptr, container, key) => {
      const src: Layer = { value: e.value.value, origins: new Origins(), replaceAt: new Set([...e.value.replaceAt].map((p) => ptr + p)) };
      for (const [p, o] of e.value.origins.entries()) src.origins.set(ptr + p, o);
      const current = Array.isArray(container) ? container[key as number] : hasOwn(container, key as string) ? container[key as string] : undefined;
      const merged = mergeAt(layer, src, ptr, current, e.value.value);
      if (Array.isArray(container)) container[key as number] = merged;
      else setOwn(container, key as string, merged);
      return true;
    });
    if (!applied) ok = false;
  }
  return ok;
}

type Assign = (ptr: string, container: Record<string, unknown> | unknown[], key: string | number, seg: Segment) => boolean;

/** Walks `segs` through the layer, checked against the schema (maps made on the way), then assigns. */
function navigate(layer: Layer, segs: Segment[], schema: object, at: { file: string; line: number; col: number; kind: 'override' | 'file' }, diagnostics: Diagnostic[], assign: Assign): boolean {
  const { file } = at;
  const place = (seg: Segment): Segment => ({ ...seg, line: at.line, col: at.col + seg.col - 1, end: at.col + seg.end - 1 });
  let cur: unknown = layer.value;
  let sch: any = schema;
  let ptr = '';
  for (let k = 0; k < segs.length; k++) {
    const seg = segs[k]!;
    const last = k === segs.length - 1;
    const isList = isArraySchema(sch, cur);
    if (isList) {
      if (!/^\d+$/.test(seg.name)) return located(diagnostics, 'ATTNC1105', `\`${toDotted(ptr)}\` is a list; index it with [n]`, file, place(seg));
      const list = Array.isArray(cur) ? cur : [];
      const idx = Number(seg.name);
      if (idx >= list.length) {
        return located(diagnostics, 'ATTNC1105', `\`${toDotted(ptr)}\` has no element [${idx}]`, file, place(seg),
          list.length ? `it has ${list.length} element${list.length === 1 ? '' : 's'} (indices 0–${list.length - 1}); to replace the whole list, set \`${toDotted(ptr)}=[...]\`` : `set the whole list instead: \`${toDotted(ptr)}=[...]\``);
      }
      sch = childSchema(sch, seg.name, cur);
      ptr = joinPointer(ptr, idx);
      if (last) return assign(ptr, list, idx, place(seg));
      cur = list[idx];
      continue;
    }
    const next = sch ? childSchema(sch, seg.name, cur) : undefined;
    if (!next || seg.index || (ptr === '' && (seg.name === 'extends' || seg.name === 'set'))) {
      const keys = sch ? allowedKeys(sch, cur) : [];
      const where = ptr === '' ? 'the spec' : `\`${toDotted(ptr)}\``;
      return located(diagnostics, 'ATTNC1003', `unknown key "${seg.name}" in ${where}`, file, place(seg),
        seg.name === 'extends' || seg.name === 'set' ? `\`${seg.name}\` cannot be set; edit the spec file` : helpFor(seg.name, keys));
    }
    const map = isPlainMap(cur) ? (cur as Record<string, unknown>) : undefined;
    const childPtr = joinPointer(ptr, seg.name);
    if (last) {
      if (!map) return located(diagnostics, 'ATTNC1105', `cannot set \`${toDotted(childPtr)}\`: \`${toDotted(ptr)}\` is not a map here`, file, place(seg));
      return assign(childPtr, map, seg.name, place(seg));
    }
    if (!map) return located(diagnostics, 'ATTNC1105', `cannot set \`${toDotted(childPtr)}\`: \`${toDotted(ptr)}\` is not a map here`, file, place(seg));
    if (!hasOwn(map, seg.name) || (typeof map[seg.name] !== 'object' || map[seg.name] === null)) {
      // Creating the parent maps on the way (the schema check after defaults judges the result).
      setOwn(map, seg.name, isArraySchema(next) ? [] : {});
      const p = place(seg);
      layer.origins.deleteTree(childPtr);
      layer.origins.set(childPtr, { kind: at.kind, file, line: p.line!, col: p.col, endLine: p.line, endCol: p.end, keyLine: p.line, keyCol: p.col, keyEndCol: p.end });
    }
    cur = map[seg.name];
    sch = next;
    ptr = childPtr;
  }
  return true;
}

function setAt(layer: Layer, ptr: string, container: Record<string, unknown> | unknown[], key: string | number, valueText: string, offset: number, file: string, diagnostics: Diagnostic[], seg: Segment): boolean {
  const parsed = parseYaml(valueText, file, offset);
  diagnostics.push(...parsed.diagnostics);
  if (parsed.value === undefined) return false;
  if (valueText.trim() === '') parsed.spans.set('', { value: { line: 1, col: offset + 1, endLine: 1, endCol: offset + 2 } });
  const src = layerFromParsed(parsed, 'override', file, diagnostics, ptr);
  const root = src.origins.get(ptr);
  if (root) src.origins.set(ptr, { ...root, keyLine: 1, keyCol: seg.col, keyEndCol: seg.end });
  const current = Array.isArray(container) ? container[key as number] : hasOwn(container, key as string) ? container[key as string] : undefined;
  const merged = mergeAt(layer, src, ptr, current, parsed.value);
  if (Array.isArray(container)) container[key as number] = merged;
  else setOwn(container, key as string, merged);
  return true;
}

function located(diagnostics: Diagnostic[], code: 'ATTNC1003' | 'ATTNC1105', message: string, file: string, seg: Segment, help?: string): false {
  const line = seg.line ?? 1;
  diagnostics.push({ code, severity: 'error', message, file, line, col: seg.col, endLine: line, endCol: seg.end, ...(help ? { help } : {}) });
  return false;
}

/** `a.b[1].c` / `a.b.1.c` → segments with 1-based columns. */
function parsePath(path: string): Segment[] | string {
  const segs: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i));
      if (!m) return `bad index in override path "${path}" (expected [n])`;
      segs.push({ name: m[1]!, col: i + 1, end: i + 1 + m[0].length, index: true });
      i += m[0].length;
    } else if (ch === '.') {
      if (segs.length === 0 || path[i + 1] === undefined || path[i + 1] === '.' || path[i + 1] === '[') return `empty key in override path "${path}"`;
      i++;
    } else {
      const m = /^[^.[\]]+/.exec(path.slice(i))!;
      const name = m[0].trim();
      if (name === '') return `empty key in override path "${path}"`;
      segs.push({ name, col: i + 1, end: i + 1 + m[0].length, index: false });
      i += m[0].length;
    }
  }
  return segs;
}
