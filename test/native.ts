/**
 * Tests of what only the native TensorFlow backend has (its fused ops, the fused Adam): they run
 * where the suite runs on it with attnc's native paths on (the default), and elsewhere
 * (`ATTNC_BACKEND=cpu`, `ATTNC_PORTABLE=1`) are skipped with the reason in their name.
 */
import { it } from 'vitest';
import { backendInfo } from '../runtime/backend/index.js';
import { internalsEnabled } from '../runtime/backend/tfjs-internals.js';

export const NATIVE = backendInfo()?.name === 'tensorflow' && internalsEnabled();

const reason = () => `needs the native TensorFlow backend; this run uses ${backendInfo()?.name ?? 'no backend'}${internalsEnabled() ? '' : ' with ATTNC_PORTABLE'}`;

/** `it` for a test of the native backend's own paths. */
export function itNative(name: string, fn: () => unknown, timeout?: number): void {
  if (NATIVE) it(name, fn, timeout);
  else it.skip(`${name} — skipped: ${reason()}`, fn);
}

/** `it` for a test of the paths that use tfjs internals (the lean backward pass, `untaped`): skipped under ATTNC_PORTABLE. */
export function itInternals(name: string, fn: () => unknown, timeout?: number): void {
  if (internalsEnabled()) it(name, fn, timeout);
  else it.skip(`${name} — skipped: tests a path that ATTNC_PORTABLE turns off`, fn);
}
