import { hasOwn, isPlainMap, joinPointer, setOwn } from '../parse/pointer.js';
import type { Layer } from './layer.js';
import type { Origin } from './origins.js';

/**
 * Merge `src` over `target` at `pointer` (in place; returns the new value there). Maps deep-merge,
 * lists and scalars replace, and a map marked `$replace: true` replaces the inherited map whole.
 */
export function mergeAt(target: Layer, src: Layer, pointer: string, current: unknown, incoming: unknown): unknown {
  if (isPlainMap(incoming) && isPlainMap(current) && !src.replaceAt.has(pointer)) {
    for (const key of Object.keys(incoming)) {
      const child = joinPointer(pointer, key);
      setOwn(current, key, mergeAt(target, src, child, hasOwn(current, key) ? current[key] : undefined, incoming[key]));
    }
    const prev = target.origins.get(pointer);
    const next = src.origins.get(pointer);
    if (next) {
      const mergedWith: Origin[] = prev ? [...(prev.mergedWith ?? []), { ...prev, mergedWith: undefined }] : [];
      target.origins.set(pointer, mergedWith.length ? { ...next, mergedWith } : next);
    }
    return current;
  }
  target.origins.deleteTree(pointer);
  target.origins.copyTree(src.origins, pointer);
  return incoming;
}

/** `target` ← `target` merged with `src` (both rooted at the document). */
export function mergeLayer(target: Layer, src: Layer): void {
  target.value = mergeAt(target, src, '', target.value, src.value);
}
