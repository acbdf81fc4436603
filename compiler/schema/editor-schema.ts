import { SpecSchema } from './spec-schema.js';

type Json = Record<string, any>;

/**
 * The schema as an editor sees a spec *file*: keys with defaults are optional, `extends` and
 * `$replace` are allowed. Written to attnc.schema.json (a test keeps it in sync).
 */
export function editorSchema(): Json {
  const root = transform(JSON.parse(JSON.stringify(SpecSchema)) as Json, true);
  root.$schema = 'http://json-schema.org/draft-07/schema#';
  return root;
}

function transform(s: Json, isRoot = false): Json {
  if (s.properties) {
    for (const k of Object.keys(s.properties)) s.properties[k] = transform(s.properties[k]);
    if (Array.isArray(s.required)) {
      s.required = s.required.filter((k: string) => !optional(s.properties[k]) && !(isRoot && k !== 'attnc' && k !== 'name'));
      if (s.required.length === 0) delete s.required;
    }
    s.properties.$replace = { type: 'boolean', description: 'replace the map inherited from a base instead of merging into it' };
    if (isRoot) {
      s.properties.extends = {
        description: 'base spec file(s), relative to this file; merged left to right, then this file',
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      };
      s.properties.data && delete s.properties.data.required;
    }
  }
  if (s.items && !Array.isArray(s.items)) s.items = transform(s.items);
  for (const k of ['oneOf', 'anyOf'] as const) if (Array.isArray(s[k])) s[k] = s[k].map((b: Json) => transform(b));
  return s;
}

/** A key may be omitted from a file if it has a default or is a map whose keys all may be omitted. */
function optional(s: Json): boolean {
  if ('default' in s) return true;
  if (s.type === 'object' && s.properties) return (s.required ?? []).every((k: string) => optional(s.properties[k]));
  return false;
}
