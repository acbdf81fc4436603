import { SpecSchema } from './spec-schema.js';

type Json = Record<string, any>;

/**
 * The schema as an editor sees a spec *file*: any key may be left out (defaults fill them, and a
 * base file is partial by design; `attnc validate` reports what is still missing after resolution),
 * only union tags are required, `extends`, `set` and `$replace` are allowed. Written to attnc.schema.json
 * (a test keeps it in sync).
 */
export function editorSchema(): Json {
  const root = transform(JSON.parse(JSON.stringify(SpecSchema)) as Json, true);
  root.$schema = 'http://json-schema.org/draft-07/schema#';
  return root;
}

function transform(s: Json, isRoot = false, tag?: string): Json {
  if (s.properties) {
    for (const k of Object.keys(s.properties)) s.properties[k] = transform(s.properties[k]);
    if (Array.isArray(s.required)) {
      s.required = s.required.filter((k: string) => k === tag);
      if (s.required.length === 0) delete s.required;
    }
    s.properties.$replace = { type: 'boolean', description: 'replace the map inherited from a base instead of merging into it' };
    if (isRoot) {
      s.properties.extends = {
        description: 'base spec file(s), relative to this file; merged left to right, then this file',
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      };
      s.properties.set = {
        description: 'values set by dotted path after this file is merged over its bases, as --set does: `generator.stages[1].residual_blocks: 3` changes one item of an inherited list',
        type: 'object',
      };
    }
  }
  if (s.items && !Array.isArray(s.items)) s.items = transform(s.items);
  const t = s.discriminator?.propertyName as string | undefined;
  for (const k of ['oneOf', 'anyOf'] as const) if (Array.isArray(s[k])) s[k] = s[k].map((b: Json) => transform(b, false, t));
  return s;
}
