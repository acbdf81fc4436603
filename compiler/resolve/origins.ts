import { parentPointer, toPointer } from '../parse/pointer.js';
import type { NodeSpan } from '../parse/yaml.js';

/**
 * Where a resolved value came from: the spec file itself, a base it extends, a `--set`, a schema
 * default, or (for `attnc diff` of a generated folder) that folder's manifest.json.
 */
export type OriginKind = 'file' | 'base' | 'override' | 'default' | 'manifest';

/**
 * The one description of where something came from in the spec. Resolution records the full
 * positions; later phases keep a subset (`OriginRef`): the graph and generated code the file, line
 * and pointer, `attnc diff` the file, line and a note.
 */
export interface Origin {
  kind: OriginKind;
  /** Display path (relative to the cwd) or `<--set #N>`; undefined for defaults. */
  file?: string;
  /** 1-based position of the value (0 for defaults). */
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  /** Position of the map key that holds the value, when there is one. */
  keyLine?: number;
  keyCol?: number;
  keyEndCol?: number;
  /** Free text, e.g. "derived from generator.stages". */
  note?: string;
  /** For maps filled by several layers (deep merge): the earlier layers' origins of this map. */
  mergedWith?: Origin[];
}

/** An origin detached from the `Origins` map: what graph nodes and diff values carry. */
export type OriginRef = Pick<Origin, 'kind' | 'file' | 'note'> & { line?: number; keyLine?: number; pointer?: string };

/**
 * `spec/attngan2.yaml:41`, `default (derived from …)`, the `--set` text of an override when known,
 * or `unknown`: the one rendering of an origin (explain comments, diff, --graph, generated docs).
 */
export function originText(o: OriginRef | undefined): string {
  if (!o) return 'unknown';
  if (o.kind === 'default') return o.note ? `default (${o.note})` : 'default';
  if (o.kind === 'override' && o.note) return o.note;
  const line = o.keyLine ?? o.line;
  return line ? `${o.file}:${line}` : (o.file ?? 'unknown');
}

/** A located place for a diagnostic. */
export interface Location {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

/**
 * Provenance of every value of the resolved spec, keyed by JSON pointer (`/generator/stages/1`).
 * `get` answers for exactly that value; `locate` climbs to the nearest ancestor with a position.
 */
export class Origins {
  private readonly map = new Map<string, Origin>();

  /** `pointer` may also be dotted: `generator.stages[1]`. */
  get(pointer: string): Origin | undefined {
    return this.map.get(toPointer(pointer));
  }

  has(pointer: string): boolean {
    return this.map.has(toPointer(pointer));
  }

  set(pointer: string, origin: Origin): void {
    this.map.set(pointer, origin);
  }

  delete(pointer: string): void {
    this.map.delete(pointer);
  }

  /** Removes `pointer` and everything under it. */
  deleteTree(pointer: string): void {
    for (const k of [...this.map.keys()]) if (k === pointer || k.startsWith(pointer + '/')) this.map.delete(k);
  }

  /** Pointers of `pointer` and everything under it, from another table, rebased onto `target`. */
  copyTree(from: Origins, pointer: string, target = pointer): void {
    for (const [k, o] of from.entries()) {
      if (k === pointer || k.startsWith(pointer + '/')) this.map.set(target + k.slice(pointer.length), o);
    }
  }

  entries(): IterableIterator<[string, Origin]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }

  /** The nearest origin with a source position at or above `pointer`. */
  locate(pointer: string, which: 'key' | 'value' = 'value'): Location | undefined {
    let p: string | undefined = toPointer(pointer);
    while (p !== undefined) {
      const o = this.map.get(p);
      if (o && o.file !== undefined && o.line > 0) return locationOf(o, which);
      p = parentPointer(p);
    }
    return undefined;
  }

  /** `spec/attngan2.yaml:41`, `default`, … (`originText`) of the value at `pointer`. */
  describe(pointer: string): string {
    return originText(this.get(pointer));
  }
}

export function locationOf(o: Origin, which: 'key' | 'value' = 'value'): Location {
  if (which === 'key' && o.keyLine !== undefined) {
    return { file: o.file!, line: o.keyLine, col: o.keyCol!, endLine: o.keyLine, endCol: o.keyEndCol };
  }
  return { file: o.file!, line: o.line, col: o.col, endLine: o.endLine, endCol: o.endCol };
}

export function originFromSpan(kind: OriginKind, file: string, span: NodeSpan): Origin {
  const o: Origin = { kind, file, line: span.value.line, col: span.value.col, endLine: span.value.endLine, endCol: span.value.endCol };
  if (span.key) {
    o.keyLine = span.key.line;
    o.keyCol = span.key.col;
    o.keyEndCol = span.key.endLine === span.key.line ? span.key.endCol : undefined;
  }
  return o;
}

export const DEFAULT_ORIGIN: Origin = { kind: 'default', line: 0, col: 0 };
