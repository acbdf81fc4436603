/** Walking the JSON Schema alongside a value: which sub-schema describes a key, which union branch applies. */
type Json = Record<string, any>;

export function isTagged(schema: Json): boolean {
  return Array.isArray(schema.oneOf) && typeof schema.discriminator?.propertyName === 'string';
}

export function tagOf(schema: Json): string | undefined {
  return isTagged(schema) ? (schema.discriminator.propertyName as string) : undefined;
}

/** The tag values of a tagged union (`init`, `attention`). */
export function variantNames(schema: Json): string[] {
  const tag = tagOf(schema);
  if (!tag) return [];
  return (schema.oneOf as Json[]).map((b) => b.properties?.[tag]?.const).filter((v): v is string => typeof v === 'string');
}

/**
 * The schema that applies to `value`: the branch of a tagged union chosen by its tag, the branch of
 * an anyOf that matches its JSON type. Undefined when no branch can be chosen.
 */
export function branchFor(schema: Json, value: unknown): Json | undefined {
  if (isTagged(schema)) {
    const tag = tagOf(schema)!;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const t = (value as Json)[tag];
    return (schema.oneOf as Json[]).find((b) => b.properties?.[tag]?.const === t);
  }
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as Json[]).find((b) => matchesType(b, value));
  }
  return schema;
}

export function matchesType(schema: Json, value: unknown): boolean {
  if (schema.const !== undefined) return typeof schema.const === typeof value;
  if (isTagged(schema) || schema.properties) return typeof value === 'object' && value !== null && !Array.isArray(value);
  switch (schema.type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'null': return value === null;
    case 'integer':
    case 'number': return typeof value === 'number';
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    default: return false;
  }
}

/** Property names an object schema allows; for a union with no chosen branch, the union of all branches. */
export function allowedKeys(schema: Json, value?: unknown): string[] {
  const s = branchFor(schema, value) ?? schema;
  if (s.properties) return Object.keys(s.properties);
  if (isTagged(s)) return [...new Set((s.oneOf as Json[]).flatMap((b) => Object.keys(b.properties ?? {})))];
  if (Array.isArray(s.anyOf)) return [...new Set((s.anyOf as Json[]).flatMap((b) => allowedKeys(b)))];
  return [];
}

/** Schema of `key` inside `schema` (given the current value, to choose union branches). */
export function childSchema(schema: Json, key: string, value?: unknown): Json | undefined {
  const s = branchFor(schema, value);
  if (s) {
    if (s.properties) return s.properties[key];
    if (s.type === 'array' && /^\d+$/.test(key)) return s.items;
    if (Array.isArray(s.anyOf)) return undefined;
  }
  const alts: Json[] = isTagged(schema) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : [];
  for (const b of alts) {
    if (b.properties?.[key]) return b.properties[key];
    if (b.type === 'array' && /^\d+$/.test(key)) return b.items;
  }
  return undefined;
}

export function isArraySchema(schema: Json | undefined, value?: unknown): boolean {
  if (!schema) return false;
  const s = branchFor(schema, value) ?? schema;
  return s.type === 'array' || (Array.isArray(s.anyOf) && s.anyOf.some((b: Json) => b.type === 'array'));
}
