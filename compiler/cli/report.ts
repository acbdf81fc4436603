import pc from 'picocolors';
import { exitCodeOf, isAttncError } from '../../runtime/util/errors.js';

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
