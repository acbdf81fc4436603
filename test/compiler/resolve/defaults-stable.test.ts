import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isTagged, tagOf } from '../../../compiler/schema/navigate.js';
import { SpecSchema } from '../../../compiler/schema/spec-schema.js';

type Json = Record<string, any>;

/** Every schema default by where it sits: `/generator/stages[]{type: attention}/residual_blocks` → 2. */
function schemaDefaults(schema: Json, at = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (isTagged(schema)) {
    const tag = tagOf(schema)!;
    for (const b of schema.oneOf as Json[]) schemaDefaults(b, `${at}{${tag}: ${String(b.properties?.[tag]?.const)}}`, out);
    return out;
  }
  for (const [i, b] of ((schema.anyOf ?? []) as Json[]).entries()) schemaDefaults(b, (schema.anyOf as Json[]).length > 1 ? `${at}{${i}}` : at, out);
  for (const [key, prop] of Object.entries<Json>(schema.properties ?? {})) {
    if ('default' in prop) out[`${at}/${key}`] = prop.default;
    schemaDefaults(prop, `${at}/${key}`, out);
  }
  if (schema.type === 'array' && schema.items) schemaDefaults(schema.items, `${at}[]`, out);
  return out;
}

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '__golden__', 'schema-defaults.json');

// The spec hash leaves out every key at its default (compiler/lower/hash.ts), so a run started
// before an upgrade resumes after it. That is only sound while a default keeps its value: a spec
// that leaves the key out would keep its hash while its model changed. New keys are welcome (their
// defaults are added to the golden with UPDATE_GOLDEN=1); a changed or removed default is refused
// here even then: give the new behaviour a new value and keep the old one as the default.
describe('schema defaults never change value', () => {
  it('every default recorded in __golden__/schema-defaults.json is still the schema default', () => {
    const now = schemaDefaults(SpecSchema as Json);
    const pinned: Record<string, unknown> = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {};
    const changed = Object.keys(pinned).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(pinned[k]));
    expect(changed.map((k) => `${k}: was ${JSON.stringify(pinned[k])}, now ${JSON.stringify(now[k])}`)).toEqual([]);
    const added = Object.keys(now).filter((k) => !(k in pinned));
    if (process.env.UPDATE_GOLDEN) {
      const merged = Object.fromEntries(Object.keys(now).sort().map((k) => [k, now[k]]));
      writeFileSync(GOLDEN, JSON.stringify(merged, null, 2) + '\n');
    } else {
      expect(added, 'new defaults: record them with UPDATE_GOLDEN=1').toEqual([]);
    }
  });

  it('the walk finds defaults in maps, tagged list items and lists', () => {
    const d = schemaDefaults(SpecSchema as Json);
    expect(d['/losses[]{type: damsm}/negative_queue']).toBe(0);
    expect(d['/generator/stages[]{type: attention}/residual_blocks']).toBe(2);
    expect(Object.keys(d).length).toBeGreaterThan(100);
  });
});
