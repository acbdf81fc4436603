import { stringify } from 'yaml';
import { isPlainMap, joinPointer } from '../parse/pointer.js';
import { originText, type Origin, type Origins } from './origins.js';

export interface ExplainOptions {
  showOrigin?: boolean;
}

/** The resolved spec as YAML, optionally with `# from file:line` / `# default` on every value. */
export function explainYaml(spec: unknown, origins: Origins, options: ExplainOptions = {}): string {
  const lines: Array<{ text: string; comment?: string }> = [];
  const comment = (pointer: string) => (options.showOrigin ? originComment(origins.get(pointer)) : undefined);

  const emit = (value: unknown, pointer: string, indent: number, prefix: string | undefined): void => {
    const pad = ' '.repeat(indent);
    if (isPlainMap(value)) {
      const keys = Object.keys(value);
      keys.forEach((k, i) => {
        const child = joinPointer(pointer, k);
        const lead = i === 0 && prefix !== undefined ? prefix : pad;
        const v = value[k];
        if (isContainer(v)) {
          lines.push({ text: `${lead}${key(k)}:` });
          emit(v, child, indent + 2, undefined);
        } else lines.push({ text: `${lead}${key(k)}: ${scalar(v)}`, comment: comment(child) });
      });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const child = joinPointer(pointer, i);
        if (isContainer(item)) emit(item, child, indent + 2, `${pad}- `);
        else lines.push({ text: `${pad}- ${scalar(item)}`, comment: comment(child) });
      });
    }
  };
  emit(spec, '', 0, undefined);

  const width = Math.min(64, Math.max(...lines.map((l) => (l.comment ? l.text.length : 0))) + 2);
  return lines.map((l) => (l.comment ? `${l.text.length < width ? l.text.padEnd(width) : l.text + '  '}# ${l.comment}` : l.text)).join('\n') + '\n';
}

function isContainer(v: unknown): boolean {
  return (isPlainMap(v) && Object.keys(v).length > 0) || (Array.isArray(v) && v.length > 0);
}

function key(k: string): string {
  return /^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k);
}

function scalar(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isPlainMap(v)) return '{}';
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

export function originComment(o: Origin | undefined): string {
  return !o || o.kind === 'default' ? originText(o) : `from ${originText(o)}`;
}

/** pointer → `file:line` / `default`, for `explain --format json --show-origin`. */
export function originTable(spec: unknown, origins: Origins): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, p: string) => {
    if (isPlainMap(v)) for (const k of Object.keys(v)) walk(v[k], joinPointer(p, k));
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, joinPointer(p, i)));
    else out[p] = originComment(origins.get(p)).replace(/^from /, '');
  };
  walk(spec, '');
  return out;
}
