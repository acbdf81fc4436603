import type { Diagnostic } from '../diagnostics/types.js';
import { parentPointer, toDotted } from '../parse/pointer.js';
import type { Origins } from '../resolve/origins.js';

/** file/line/col for a diagnostic about `pointer`, falling back to its nearest located ancestor. */
export function locateDiag(origins: Origins, pointer: string, which: 'key' | 'value', mainFile: string): Pick<Diagnostic, 'file' | 'line' | 'col' | 'endLine' | 'endCol'> {
  const loc = origins.locate(pointer, which) ?? { file: mainFile, line: 1, col: 1 };
  // Problems about the document as a whole point at its first character, not its whole first line.
  const root = origins.get('');
  if (root && loc.file === root.file && loc.line === root.line && loc.col === root.col) return { file: loc.file, line: loc.line, col: loc.col, endLine: loc.line, endCol: loc.col + 1 };
  const out: Pick<Diagnostic, 'file' | 'line' | 'col' | 'endLine' | 'endCol'> = { file: loc.file, line: loc.line, col: loc.col };
  if (loc.endLine !== undefined) out.endLine = loc.endLine;
  if (loc.endCol !== undefined) out.endCol = loc.endCol;
  return out;
}

/**
 * When a key came from a base but its map was also written in a later layer, say so and point at
 * `$replace: true` (the usual cause: switching a tagged variant, e.g. `dataset.kind`, in a child spec).
 */
export function mergeNote(origins: Origins, mapPointer: string, keyPointer: string): string | undefined {
  const map = origins.get(mapPointer);
  const key = origins.get(keyPointer);
  if (!map || !key || !map.mergedWith?.length || key.file === map.file || key.file === undefined) return undefined;
  const path = toDotted(mapPointer) || 'the spec';
  return `\`${path}\` at ${map.file}:${map.keyLine ?? map.line} is merged into the map from ${key.file}:${key.keyLine ?? key.line}, which set this key; add \`$replace: true\` to \`${path}\` to replace the inherited map instead of merging into it`;
}

export { parentPointer };
