import { hasOwn, isPlainMap, joinPointer, setOwn } from '../parse/pointer.js';
import { branchFor, isTagged } from '../schema/navigate.js';
import type { Origins } from './origins.js';

type Json = Record<string, any>;

/**
 * Fill every missing key that has a schema `default` (or is a map whose keys all can be defaulted),
 * recording `default` as its origin. Values of the wrong shape are left alone for the schema check.
 */
export function fillDefaults(schema: Json, value: unknown, pointer: string, origins: Origins): unknown {
  const s = branchFor(schema, value);
  if (!s) return value;
  if (s.properties && isPlainMap(value)) {
    for (const [key, prop] of Object.entries<Json>(s.properties)) {
      const child = joinPointer(pointer, key);
      if (!hasOwn(value, key)) {
        if ('default' in prop) {
          setOwn(value, key, structuredClone(prop.default));
          markDefault(value[key], child, origins);
        } else if (prop.type === 'object' && prop.properties && !isTagged(prop)) {
          setOwn(value, key, {});
          origins.set(child, { kind: 'default', line: 0, col: 0 });
        } else continue;
      }
      setOwn(value, key, fillDefaults(prop, value[key], child, origins));
    }
  } else if (s.type === 'array' && Array.isArray(value) && s.items) {
    value.forEach((item, i) => { value[i] = fillDefaults(s.items, item, joinPointer(pointer, i), origins); });
  }
  return value;
}

/**
 * A copy of a resolved `value` without what `fillDefaults` would put back: every key whose value
 * equals its schema default (compared with the default's own defaulted keys dropped too, so
 * `ema: { decay: 0.999 }` is the default `ema`), and every map with no default of its own that is
 * left empty. Inside lists (stages, losses, metrics) item by item. Tags and required keys stay.
 * What remains is what the spec sets apart from attnc's defaults, so adding a key with a default to
 * the schema leaves it unchanged: the spec hash is taken over this (compiler/lower/hash.ts).
 */
export function withoutDefaults(schema: Json, value: unknown): unknown {
  const s = branchFor(schema, value);
  if (!s) return value;
  if (Array.isArray(value)) return s.type === 'array' && s.items ? value.map((item) => withoutDefaults(s.items, item)) : value;
  if (!isPlainMap(value) || !s.properties) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const prop: Json | undefined = hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (!prop) {
      setOwn(out, key, value[key]);
      continue;
    }
    const v = withoutDefaults(prop, value[key]);
    const atDefault = 'default' in prop
      ? sameJson(v, withoutDefaults(prop, prop.default))
      : prop.type === 'object' && prop.properties && !isTagged(prop) && isPlainMap(v) && Object.keys(v).length === 0;
    if (!atDefault) setOwn(out, key, v);
  }
  return out;
}

/** Equality of JSON values, map keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isPlainMap(a) || !isPlainMap(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && sameJson(a[k], b[k]));
}

function markDefault(v: unknown, pointer: string, origins: Origins, note?: string): void {
  origins.set(pointer, { kind: 'default', line: 0, col: 0, ...(note ? { note } : {}) });
  if (Array.isArray(v)) v.forEach((x, i) => markDefault(x, joinPointer(pointer, i), origins, note));
  else if (isPlainMap(v)) for (const k of Object.keys(v)) markDefault(v[k], joinPointer(pointer, k), origins, note);
}

/**
 * Values computed from others when the spec leaves them out: `data.image_sizes` are the generator's
 * output sizes (every stage, or only the last with `heads: last`).
 */
export function deriveValues(spec: unknown, origins: Origins): void {
  if (!isPlainMap(spec) || !isPlainMap(spec.data) || hasOwn(spec.data, 'image_sizes')) return;
  const gen = spec.generator;
  const stages = isPlainMap(gen) && Array.isArray(gen.stages) ? gen.stages : [];
  let sizes = stages.map((st) => (isPlainMap(st) ? st.size : undefined)).filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0);
  if (isPlainMap(gen) && gen.heads === 'last') sizes = sizes.slice(-1);
  if (sizes.length === 0) sizes = [64];
  setOwn(spec.data, 'image_sizes', sizes);
  markDefault(sizes, '/data/image_sizes', origins, 'derived from generator.stages');
}

/** A copy of `value` with map keys in schema order (stable output for explain, hashes and codegen). */
export function inSchemaOrder(schema: Json, value: unknown): unknown {
  if (Array.isArray(value)) {
    const s = branchFor(schema, value);
    return value.map((v) => (s?.items ? inSchemaOrder(s.items, v) : v));
  }
  if (!isPlainMap(value)) return value;
  const s = branchFor(schema, value);
  if (!s?.properties) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s.properties)) if (hasOwn(value, k)) setOwn(out, k, inSchemaOrder(s.properties[k], value[k]));
  for (const k of Object.keys(value)) if (!hasOwn(out, k)) setOwn(out, k, value[k]);
  return out;
}
