/**
 * A failure the user can fix (a missing file, a corrupt image, an unknown word): rendered by the
 * CLI as one clear message, never as a stack trace.
 */
export class AttncError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { path?: string; hint?: string; cause?: unknown } = {}) {
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
