import type { ErrorObject } from 'ajv';
import type { DiagnosticCode } from '../diagnostics/catalog.js';
import { helpFor } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { joinPointer, splitPointer, toDotted } from '../parse/pointer.js';
import { childSchema, tagOf, variantNames } from '../schema/navigate.js';
import type { Origins } from '../resolve/origins.js';
import { mergeNote } from './locate.js';
import { locateDiag } from './locate.js';

type Json = Record<string, any>;

/** ajv errors → located diagnostics, one per problem (union-branch noise removed). */
export function schemaDiagnostics(errors: ErrorObject[], origins: Origins, mainFile: string, root?: { schema: Json; value: unknown }): Diagnostic[] {
  const kept = pruneAnyOf(errors);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const d = convert(e, origins, mainFile);
    if (d && root && e.keyword === 'additionalProperties') {
      const hint = otherVariantHint(root.schema, root.value, e.instancePath, (e.params as { additionalProperty: string }).additionalProperty);
      if (hint) d.notes = [...(d.notes ?? []), hint];
    }
    if (!d) continue;
    const key = `${d.code}|${d.pointer}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** For `anyOf`, keep the errors of the branch whose type matches the value, or one error for the anyOf. */
function pruneAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const drop = new Set<ErrorObject>();
  for (const a of anyOfs) {
    const branches = (a.parentSchema as Json | undefined)?.anyOf as Json[] | undefined ?? [];
    // A const branch of the same type ("last" vs "first") is no match: report the anyOf as a whole.
    const idx = branches.findIndex((b) => typeMatches(b, a.data) && b.const === undefined);
    const subs = errors.filter((e) => e !== a && e.schemaPath.startsWith(a.schemaPath + '/'));
    if (idx >= 0) {
      drop.add(a);
      for (const s of subs) if (!s.schemaPath.startsWith(`${a.schemaPath}/${idx}/`)) drop.add(s);
    } else for (const s of subs) drop.add(s);
  }
  return errors.filter((e) => !drop.has(e));
}

function typeMatches(schema: Json, v: unknown): boolean {
  if (schema.const !== undefined) return typeof schema.const === typeof v;
  const t = schema.type ?? (schema.properties || schema.oneOf ? 'object' : undefined);
  return jsonType(v) === t || (t === 'integer' && typeof v === 'number') || (t === 'number' && typeof v === 'number');
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false',
  object: 'a map', array: 'a list', null: 'null',
};

export function describeSchema(s: Json): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((x: unknown) => JSON.stringify(x)).join(' | ');
  if (Array.isArray(s.anyOf)) return s.anyOf.map(describeSchema).join(' or ');
  if (s.oneOf) {
    const tag = s.discriminator?.propertyName as string | undefined;
    const names = tag ? (s.oneOf as Json[]).map((b) => JSON.stringify(b.properties?.[tag]?.const)).join(' | ') : '';
    return tag ? `a map with ${tag}: ${names}` : 'a map';
  }
  const t = Array.isArray(s.type) ? s.type.map((x: string) => TYPE_WORDS[x] ?? x).join(' or ') : TYPE_WORDS[s.type] ?? 'a value';
  const range = rangeOf(s);
  return range ? `${t} in ${range}` : t;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

/** `[1, ∞)`, `(0, 1]` — the allowed range of a number schema. */
export function rangeOf(s: Json): string | undefined {
  const lo = s.exclusiveMinimum ?? s.minimum;
  const hi = s.exclusiveMaximum ?? s.maximum;
  if (lo === undefined && hi === undefined) return undefined;
  const l = lo === undefined ? '(-∞' : `${s.exclusiveMinimum !== undefined ? '(' : '['}${lo}`;
  const h = hi === undefined ? '∞)' : `${hi}${s.exclusiveMaximum !== undefined ? ')' : ']'}`;
  return `${l}, ${h}`;
}

/** "`residual_blocks` exists only with `type: attention`" when a key belongs to another variant of the union. */
function otherVariantHint(schema: Json, value: unknown, pointer: string, key: string): string | undefined {
  let s: Json | undefined = schema;
  let v: unknown = value;
  for (const seg of splitPointer(pointer)) {
    if (!s) return undefined;
    s = childSchema(s, seg, v);
    v = v !== null && typeof v === 'object' ? (v as Json)[seg] : undefined;
  }
  const tag = s ? tagOf(s) : undefined;
  if (!s || !tag) return undefined;
  const owners = (s.oneOf as Json[]).filter((b) => b.properties?.[key]).map((b) => `\`${tag}: ${b.properties[tag].const}\``);
  return owners.length ? `\`${key}\` exists only with ${owners.join(' or ')}` : undefined;
}

function where(pointer: string): string {
  return pointer === '' ? 'the spec' : `\`${toDotted(pointer)}\``;
}

function convert(e: ErrorObject, origins: Origins, mainFile: string): Diagnostic | undefined {
  const ptr = e.instancePath;
  const parent = (e.parentSchema ?? {}) as Json;
  const mk = (code: DiagnosticCode, pointer: string, message: string, which: 'key' | 'value', extra: Partial<Diagnostic> = {}): Diagnostic =>
    ({ ...locateDiag(origins, pointer, which, mainFile), code, severity: 'error', message, pointer, ...extra });

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const child = joinPointer(ptr, key);
      const help = key === 'extends' ? '`extends` is only allowed at the top of a spec file'
        : key === '$replace' ? undefined : helpFor(key, Object.keys(parent.properties ?? {}));
      const note = mergeNote(origins, ptr, child);
      return mk('ATTNC1003', child, `unknown key "${key}" in ${where(ptr)}`, 'key', { ...(help ? { help } : {}), ...(note ? { notes: [note] } : {}) });
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      const prop = parent.properties?.[key] as Json | undefined;
      const help = prop ? `add \`${key}: <${describeSchema(prop)}>\`${prop.description ? ` — ${prop.description}` : ''}` : undefined;
      return mk('ATTNC1004', ptr, `missing key "${key}" in ${where(ptr)}`, 'key', help ? { help } : {});
    }
    case 'type': {
      const t = (e.params as { type: string }).type;
      return mk('ATTNC1005', ptr, `${where(ptr)} must be ${describeSchema({ type: t })}, not ${describeValue(e.data)}`, 'value',
        typeof e.data === 'string' && t !== 'string' && /^[-+.\d]/.test(e.data) ? { help: 'remove the quotes to write a number' } : {});
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      if (ptr === '/attnc') {
        return mk('ATTNC1012', ptr, `unsupported spec format version ${describeValue(e.data)}`, 'value', { help: `this attnc reads \`attnc: ${String(allowed)}\`` });
      }
      return mk('ATTNC1006', ptr, `${where(ptr)} must be ${JSON.stringify(allowed)}, not ${describeValue(e.data)}`, 'value');
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const help = typeof e.data === 'string' ? helpFor(e.data, allowed, 'values') : `valid values: ${allowed.map((a) => `"${a}"`).join(', ')}`;
      return mk('ATTNC1006', ptr, `invalid value ${typeof e.data === 'string' ? JSON.stringify(e.data) : describeValue(e.data)} for ${where(ptr)}`, 'value', help ? { help } : {});
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const range = rangeOf(parent);
      return mk('ATTNC1007', ptr, `${where(ptr)} = ${String(e.data)} is out of range`, 'value', range ? { help: `allowed range: ${range}` } : {});
    }
    case 'discriminator': {
      const p = e.params as { error: string; tag: string; tagValue: unknown };
      const names = variantNames(parent);
      const data = e.data as Json;
      if (data?.[p.tag] === undefined) {
        return mk('ATTNC1004', ptr, `missing key "${p.tag}" in ${where(ptr)}`, 'key', { help: `\`${p.tag}\` selects the variant: ${names.map((n) => `"${n}"`).join(', ')}` });
      }
      const tagPtr = joinPointer(ptr, p.tag);
      const help = typeof p.tagValue === 'string' ? helpFor(p.tagValue, names, 'variants') : `valid variants: ${names.map((n) => `"${n}"`).join(', ')}`;
      const shown = typeof data[p.tag] === 'string' ? JSON.stringify(data[p.tag]) : describeValue(data[p.tag]);
      return mk('ATTNC1008', tagPtr, `unknown ${p.tag} ${shown} in ${where(ptr)}`, 'value', help ? { help } : {});
    }
    case 'anyOf': {
      const branches = (parent.anyOf ?? []) as Json[];
      const sameType = branches.some((b) => typeMatches(b, e.data));
      return mk(sameType ? 'ATTNC1006' : 'ATTNC1005', ptr, `${where(ptr)} must be ${branches.map(describeSchema).join(' or ')}, not ${describeValue(e.data)}`, 'value');
    }
    case 'minItems':
      return mk('ATTNC1009', ptr, `${where(ptr)} must have at least ${(e.params as { limit: number }).limit} item(s)`, 'value');
    case 'maxItems':
      return mk('ATTNC1009', ptr, `${where(ptr)} must have at most ${(e.params as { limit: number }).limit} items`, 'value');
    case 'minLength':
      return mk('ATTNC1009', ptr, `${where(ptr)} must not be empty`, 'value');
    case 'pattern':
      return mk('ATTNC1009', ptr, `${where(ptr)} = ${describeValue(e.data)} must match /${(e.params as { pattern: string }).pattern}/`, 'value',
        ptr === '/name' ? { help: 'start with a letter; use letters, digits, `_`, `.` and `-`' } : {});
    default:
      return mk('ATTNC1009', ptr, `${where(ptr)} ${e.message ?? 'is invalid'}`, 'value');
  }
}
