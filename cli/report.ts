import pc from 'picocolors';
import type { AttncError } from '../runtime/util/errors.js';
// A leaf module with no imports, built into dist/ with the CLI (scripts/build.mjs), unlike the rest of the runtime.
import { exitCodeOf } from '../runtime/util/error-codes.js';

/**
 * The runtime's AttncError, recognised by shape rather than `instanceof`: this module loads at every
 * start-up, and importing the runtime here would load it (and a TypeScript loader) for `--help` too.
 */
function isAttncError(e: unknown): e is AttncError {
  return e instanceof Error && e.name === 'AttncError' && typeof (e as { code?: unknown }).code === 'string';
}

/** The one place a thrown error becomes terminal output. User errors never show a stack trace. */
export function renderError(e: unknown): number {
  const debug = !!process.env.ATTNC_DEBUG;
  if (isAttncError(e)) {
    let out = `${pc.red('error')}${pc.dim(`[${e.code}]`)}: ${e.message}\n`;
    if (e.path) out += `  --> ${e.path}\n`;
    if (e.hint) out += `  = help: ${e.hint}\n`;
    if (debug && e.stack) out += pc.dim(e.stack) + '\n';
    process.stderr.write(out);
    return exitCodeOf(e.code);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${pc.red('internal error')}: ${msg}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(pc.dim(e.stack) + '\n');
  else process.stderr.write(pc.dim('This is a bug in attnc. Re-run with ATTNC_DEBUG=1 for the stack trace and report it.\n'));
  return 1;
}
