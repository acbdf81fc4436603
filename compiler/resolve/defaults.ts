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
