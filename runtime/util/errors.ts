import type { ErrorCode } from './error-codes.js';

export { errorCodes, exitCodeOf, isErrorCode, type ErrorCode } from './error-codes.js';

/**
 * A failure the user can fix (a missing file, a corrupt image, an unknown word): rendered by the
 * CLI as one clear message, never as a stack trace. Its code is one of error-codes.ts, which also
 * fixes the CLI's exit status.
 */
export class AttncError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { path?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AttncError';
    this.code = code;
    this.path = options.path;
    this.hint = options.hint;
  }
}

export function isAttncError(e: unknown): e is AttncError {
  return e instanceof AttncError;
}
