import { SpecSchema } from './spec-schema.js';
import { rangeOf } from '../validate/schema-errors.js';

type Json = Record<string, any>;

/**
 * The key reference of docs/spec.md, generated from the schema so the docs cannot drift:
 * one table row per key with its type, default and description.
 */
export function referenceMarkdown(): string {
  const rows: string[] = [];
  const walk = (s: Json, path: string, required: boolean, variant = '') => {
    if (s.oneOf && s.discriminator) {
      const tag = s.discriminator.propertyName as string;
      rows.push(row(path, `one of ${s.oneOf.map((b: Json) => `\`${tag}: ${b.properties[tag].const}\``).join(', ')}`, s, required, variant));
      for (const b of s.oneOf as Json[]) {
        const v = b.properties[tag].const;
        for (const [k, p] of Object.entries<Json>(b.properties)) {
          if (k === tag) continue;
          walk(p, `${path}.${k}`.replace(/^\./, ''), (b.required ?? []).includes(k) && !('default' in p) && p.type !== 'object', `${tag}: ${v}`);
        }
      }
      return;
    }
    if (s.type === 'array' && s.items && (s.items.properties || s.items.oneOf)) {
      rows.push(row(path, 'list', s, required, variant));
      walk(s.items, `${path}[]`, false, variant);
      return;
    }
    const obj = s.properties ? s : s.anyOf?.find((b: Json) => b.properties);
    if (obj) {
      if (path) rows.push(row(path, s.anyOf ? 'map or null' : 'map', s, required, variant));
      for (const [k, p] of Object.entries<Json>(obj.properties)) walk(p, path ? `${path}.${k}` : k, (obj.required ?? []).includes(k) && !('default' in p) && p.type !== 'object', variant);
      return;
    }
    rows.push(row(path, typeOf(s), s, required, variant));
  };
  walk(SpecSchema as unknown as Json, '', true);
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

function typeOf(s: Json): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e: string) => `\`${e}\``).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  const range = rangeOf(s);
  const t = s.type === 'array' ? `list of ${s.items ? typeOf(s.items) : 'values'}` : String(s.type);
  return range ? `${t} in ${range}` : t;
}

function row(path: string, type: string, s: Json, required: boolean, variant: string): string {
  const derived = /derived from/.test(s.description ?? '');
  const def = 'default' in s ? `\`${JSON.stringify(s.default)}\`` : derived ? '*derived*' : required ? '**required**' : '';
  const desc = (variant ? `*(${variant})* ` : '') + (s.description ?? '').replace(/\|/g, '\\|');
  return `| \`${path}\` | ${type} | ${def} | ${desc} |`;
}

/** The diagnostics table of docs/spec.md: every code, its title, and the rule that owns it. */
export function diagnosticsMarkdown(catalog: Record<string, { title: string; exit: number }>, rules: ReadonlyArray<{ code: string; name: string; description: string }>): string {
  const byCode = new Map(rules.map((r) => [r.code, r]));
  const rows = Object.entries(catalog).map(([code, { title, exit }]) => {
    const r = byCode.get(code);
    return `| ${code} | ${title}${r ? ` — ${r.description}` : ''} | ${r ? `\`${r.name}\`` : ''} | ${exit} |`;
  });
  return ['| code | meaning | rule | exit |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
