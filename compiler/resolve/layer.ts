import type { Diagnostic } from '../diagnostics/types.js';
import { hasOwn, isPlainMap, joinPointer } from '../parse/pointer.js';
import type { ParsedYaml } from '../parse/yaml.js';
import { originFromSpan, Origins, locationOf } from './origins.js';
import type { OriginKind } from './origins.js';

/** One layer of configuration (a file, a merged stack of files, an override) with provenance. */
export interface Layer {
  value: unknown;
  origins: Origins;
  /** Pointers of maps marked `$replace: true` (the marker itself is removed). */
  replaceAt: Set<string>;
}

export const REPLACE_KEY = '$replace';

/** Turns a parsed YAML value into a layer, rooted at `root`, consuming `$replace` markers. */
export function layerFromParsed(parsed: ParsedYaml, kind: OriginKind, file: string, diagnostics: Diagnostic[], root = ''): Layer {
  const origins = new Origins();
  for (const [p, span] of parsed.spans) origins.set(root + p, originFromSpan(kind, file, span));
  const replaceAt = new Set<string>();
  const walk = (v: unknown, ptr: string): void => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, joinPointer(ptr, i)));
    else if (isPlainMap(v)) {
      if (hasOwn(v, REPLACE_KEY)) {
        const marker = v[REPLACE_KEY];
        const at = joinPointer(ptr, REPLACE_KEY);
        if (typeof marker !== 'boolean') {
          const o = origins.get(at);
          diagnostics.push({
            code: 'ATTNC1104', severity: 'error', message: '`$replace` must be true or false',
            ...(o ? locationOf(o) : { file, line: 1, col: 1 }),
            help: '`$replace: true` makes this map replace the one inherited from a base instead of merging into it',
          });
        } else if (marker) replaceAt.add(ptr);
        delete v[REPLACE_KEY];
        origins.deleteTree(at);
      }
      for (const k of Object.keys(v)) walk(v[k], joinPointer(ptr, k));
    }
  };
  walk(parsed.value, root);
  return { value: parsed.value, origins, replaceAt };
}
