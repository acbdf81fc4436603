/**
 * Structural diff of two resolved specs, by JSON pointer. Maps are compared key by key; arrays item
 * by item (a longer array shows added items), or by `type` for lists of tagged items (losses,
 * metrics); a value that is a scalar on one side and a container on the other is one change. Each
 * change carries both origins. Classification is classify.ts's job.
 */
import { isPlainMap, joinPointer, toDotted } from '../parse/pointer.js';
import type { OriginRef } from '../resolve/origins.js';

export type ChangeOp = 'added' | 'removed' | 'changed';

export interface SpecChange {
  pointer: string;
  /** `generator.stages[2]` */
  path: string;
  op: ChangeOp;
  a?: unknown;
  b?: unknown;
  originA?: OriginRef;
  originB?: OriginRef;
}

export interface OriginLookup {
  a: (pointer: string) => OriginRef | undefined;
  b: (pointer: string) => OriginRef | undefined;
}

const none: OriginLookup = { a: () => undefined, b: () => undefined };

export function diffSpecs(a: unknown, b: unknown, origins: OriginLookup = none): SpecChange[] {
  const out: SpecChange[] = [];
  // Each side keeps its own pointer (a list matched by `type` may hold an item at another index);
  // a change is named by b's pointer, or a's when the value was removed.
  const change = (pa: string, pb: string, op: ChangeOp, va: unknown, vb: unknown) => {
    const pointer = op === 'removed' ? pa : pb;
    const c: SpecChange = { pointer, path: toDotted(pointer) || '(root)', op };
    if (op !== 'added') {
      c.a = va;
      const o = origins.a(pa);
      if (o) c.originA = o;
    }
    if (op !== 'removed') {
      c.b = vb;
      const o = origins.b(pb);
      if (o) c.originB = o;
    }
    out.push(c);
  };
  const walk = (va: unknown, vb: unknown, pa: string, pb: string): void => {
    if (isPlainMap(va) && isPlainMap(vb)) {
      const keys = [...Object.keys(va), ...Object.keys(vb).filter((k) => !Object.prototype.hasOwnProperty.call(va, k))];
      for (const k of keys) {
        const inA = Object.prototype.hasOwnProperty.call(va, k);
        const inB = Object.prototype.hasOwnProperty.call(vb, k);
        if (inA && inB) walk(va[k], vb[k], joinPointer(pa, k), joinPointer(pb, k));
        else if (inA) change(joinPointer(pa, k), joinPointer(pb, k), 'removed', va[k], undefined);
        else change(joinPointer(pa, k), joinPointer(pb, k), 'added', undefined, vb[k]);
      }
      return;
    }
    if (Array.isArray(va) && Array.isArray(vb)) {
      const ta = uniqueTypes(va);
      const tb = uniqueTypes(vb);
      if (ta && tb) {
        // Lists of tagged items with one item per type (losses, metrics): match by type, so
        // removing or reordering a term does not show as every later term changing.
        tb.forEach((t, j) => {
          const i = ta.indexOf(t);
          if (i >= 0) walk(va[i], vb[j], joinPointer(pa, i), joinPointer(pb, j));
          else change(joinPointer(pa, j), joinPointer(pb, j), 'added', undefined, vb[j]);
        });
        ta.forEach((t, i) => {
          if (!tb.includes(t)) change(joinPointer(pa, i), joinPointer(pb, i), 'removed', va[i], undefined);
        });
        return;
      }
      const n = Math.max(va.length, vb.length);
      for (let i = 0; i < n; i++) {
        const qa = joinPointer(pa, i);
        const qb = joinPointer(pb, i);
        if (i >= vb.length) change(qa, qb, 'removed', va[i], undefined);
        else if (i >= va.length) change(qa, qb, 'added', undefined, vb[i]);
        else walk(va[i], vb[i], qa, qb);
      }
      return;
    }
    if (!sameValue(va, vb)) change(pa, pb, 'changed', va, vb);
  };
  walk(a, b, '', '');
  return out;
}

/** The `type` of every item when all items are maps with distinct string types; else undefined. */
function uniqueTypes(list: unknown[]): string[] | undefined {
  const types = list.map((x) => (isPlainMap(x) && typeof x.type === 'string' ? x.type : undefined));
  if (types.some((t) => t === undefined) || new Set(types).size !== types.length) return undefined;
  return types as string[];
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainMap(a) && isPlainMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}
