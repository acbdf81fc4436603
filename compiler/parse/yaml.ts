import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, ParsedNode } from 'yaml';
import type { Diagnostic } from '../diagnostics/types.js';
import { joinPointer, setOwn } from './pointer.js';

/** A 1-based source range; `endCol` is exclusive. */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** Where one value sits in its file: the value itself and, for map entries, its key. */
export interface NodeSpan {
  value: Span;
  key?: Span;
}

export interface ParsedYaml {
  /** Plain JSON-like value (maps, lists, scalars); undefined when the text did not parse. */
  value: unknown;
  /** JSON pointer → position, for every node. */
  spans: Map<string, NodeSpan>;
  diagnostics: Diagnostic[];
}

const MAX_NODES = 200_000;

/**
 * Parse YAML 1.2 text keeping every node's position. `file` is the display path written into
 * diagnostics; `colOffset` shifts line-1 columns (a `--set` value sits after `path=`).
 */
export function parseYaml(text: string, file: string, colOffset = 0): ParsedYaml {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const spans = new Map<string, NodeSpan>();
  const pos = (offset: number) => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, col: p.line === 1 ? p.col + colOffset : p.col };
  };
  const span = (range: readonly number[] | null | undefined, fallback?: Span): Span => {
    if (!range) return fallback ?? { line: 1, col: 1 + colOffset, endLine: 1, endCol: 2 + colOffset };
    const a = pos(range[0]!);
    const b = pos(Math.max(range[1]!, range[0]! + 1));
    return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  };

  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, keepSourceTokens: false });
  } catch (e) {
    diagnostics.push({ code: 'ATTNC1001', severity: 'error', message: `YAML parser failed: ${e instanceof Error ? e.message : String(e)}`, file, line: 1, col: 1 + colOffset });
    return { value: undefined, spans, diagnostics };
  }
  for (const err of doc.errors) {
    const s = span(err.pos);
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    if (err.code === 'DUPLICATE_KEY') {
      const key = /^[^:\s,{}[\]]+/.exec(text.slice(err.pos[0]))?.[0];
      const end = key ? { endLine: s.line, endCol: s.col + key.length } : {};
      diagnostics.push({ code: 'ATTNC1002', severity: 'error', message: key ? `duplicate key "${key}"` : 'duplicate key in a map', file, ...s, ...end, help: 'each key may appear once per map; remove or merge one of them' });
    } else {
      diagnostics.push({ code: 'ATTNC1001', severity: 'error', message: `YAML syntax error: ${lowerFirst(message)}`, file, ...s, help: yamlHelp(err.code) });
    }
  }
  if (doc.errors.length > 0) return { value: undefined, spans, diagnostics };

  let count = 0;
  const active = new Set<Node>();
  const build = (node: ParsedNode | Node | null | undefined, pointer: string, at: NodeSpan): unknown => {
    if (++count > MAX_NODES) throw new TooLarge();
    spans.set(pointer, at);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || active.has(target)) {
        diagnostics.push({ code: 'ATTNC1001', severity: 'error', message: `YAML alias *${node.source} is undefined or refers to itself`, file, ...at.value });
        return null;
      }
      active.add(target);
      const v = build(target, pointer, at);
      active.delete(target);
      return v;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as ParsedNode | null;
        const keySpan = span(keyNode?.range, at.value);
        let key: string;
        if (isScalar(keyNode) && (typeof keyNode.value === 'string' || typeof keyNode.value === 'number' || typeof keyNode.value === 'boolean' || keyNode.value === null)) {
          key = String(keyNode.value);
        } else {
          diagnostics.push({ code: 'ATTNC1011', severity: 'error', message: 'map keys must be plain strings', file, ...keySpan, help: 'write the key as a plain word, e.g. `batch_size:`' });
          continue;
        }
        const valueNode = pair.value as ParsedNode | null;
        const valueSpan = valueNode?.range ? span(valueNode.range) : { ...keySpan };
        setOwn(out, key, build(valueNode, joinPointer(pointer, key), { key: keySpan, value: valueSpan }));
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const it = item as ParsedNode | null;
        return build(it, joinPointer(pointer, i), { value: span(it?.range, at.value) });
      });
    }
    if (isScalar(node)) {
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      if (typeof v === 'bigint') return Number(v);
      return String(v);
    }
    return null;
  };

  let value: unknown;
  try {
    value = build(doc.contents as ParsedNode | null, '', { value: span(doc.contents?.range ?? [0, Math.max(text.length, 1)]) });
  } catch (e) {
    if (!(e instanceof TooLarge)) throw e;
    diagnostics.push({ code: 'ATTNC1001', severity: 'error', message: `YAML document too large (more than ${MAX_NODES} nodes after expanding aliases)`, file, line: 1, col: 1 + colOffset });
    return { value: undefined, spans, diagnostics };
  }
  for (const w of doc.warnings) {
    // Unknown tags and the like: kept as warnings, the schema check judges the value.
    const s = span(w.pos);
    diagnostics.push({ code: 'ATTNC1001', severity: 'warning', message: `YAML: ${lowerFirst(w.message.split('\n')[0]!)}`, file, ...s });
  }
  return { value, spans, diagnostics };
}

class TooLarge extends Error {}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function yamlHelp(code: string): string | undefined {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and that brackets and quotes are closed';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'a spec is one YAML document; remove the `---` separator';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'is a `:` missing after a key, or a value over-indented?';
    default:
      return undefined;
  }
}
