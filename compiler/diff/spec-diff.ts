/**
 * Structural diff of two resolved specs, by JSON pointer. Maps are compared key by key, arrays item
 * by item (a longer array shows added items); a value that is a scalar on one side and a container
 * on the other is one change. Each change carries both origins. Classification is classify.ts's job.
 */
import { isPlainMap, joinPointer, toDotted } from '../parse/pointer.js';
import type { ValueOrigin } from './load.js';

export type ChangeOp = 'added' | 'removed' | 'changed';

export interface SpecChange {
  pointer: string;
  /** `generator.stages[2]` */
  path: string;
  op: ChangeOp;
  a?: unknown;
  b?: unknown;
  originA?: ValueOrigin;
  originB?: ValueOrigin;
}

export interface OriginLookup {
  a: (pointer: string) => ValueOrigin | undefined;
  b: (pointer: string) => ValueOrigin | undefined;
}

const none: OriginLookup = { a: () => undefined, b: () => undefined };

export function diffSpecs(a: unknown, b: unknown, origins: OriginLookup = none): SpecChange[] {
  const out: SpecChange[] = [];
  const change = (pointer: string, op: ChangeOp, va: unknown, vb: unknown) => {
    const c: SpecChange = { pointer, path: toDotted(pointer) || '(root)', op };
    if (op !== 'added') {
      c.a = va;
      const o = origins.a(pointer);
      if (o) c.originA = o;
    }
    if (op !== 'removed') {
      c.b = vb;
      const o = origins.b(pointer);
      if (o) c.originB = o;
    }
    out.push(c);
  };
  const walk = (va: unknown, vb: unknown, pointer: string): void => {
    if (isPlainMap(va) && isPlainMap(vb)) {
      const keys = [...Object.keys(va), ...Object.keys(vb).filter((k) => !Object.prototype.hasOwnProperty.call(va, k))];
      for (const k of keys) {
        const p = joinPointer(pointer, k);
        const inA = Object.prototype.hasOwnProperty.call(va, k);
        const inB = Object.prototype.hasOwnProperty.call(vb, k);
        if (inA && inB) walk(va[k], vb[k], p);
        else if (inA) change(p, 'removed', va[k], undefined);
        else change(p, 'added', undefined, vb[k]);
      }
      return;
    }
    if (Array.isArray(va) && Array.isArray(vb)) {
      const n = Math.max(va.length, vb.length);
      for (let i = 0; i < n; i++) {
        const p = joinPointer(pointer, i);
        if (i >= vb.length) change(p, 'removed', va[i], undefined);
        else if (i >= va.length) change(p, 'added', undefined, vb[i]);
        else walk(va[i], vb[i], p);
      }
      return;
    }
    if (!sameValue(va, vb)) change(pointer, 'changed', va, vb);
  };
  walk(a, b, '');
  return out;
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
