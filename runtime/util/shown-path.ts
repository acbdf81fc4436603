import * as path from 'node:path';

/**
 * A path as attnc prints it: relative to the working folder when it lies inside it (`runs/tiny-1`,
 * as the user typed it or as attnc made it there), absolute when it does not (`/data/runs/tiny-1`,
 * never `../../data/runs/tiny-1`). A leaf without attnc imports: the built CLI loads it too
 * (scripts/build.mjs, BUILT_RUNTIME_LEAVES).
 */
export function shownPath(p: string, cwd: string = process.cwd()): string {
  const abs = path.resolve(cwd, p);
  const rel = path.relative(cwd, abs);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return abs;
  return rel;
}
