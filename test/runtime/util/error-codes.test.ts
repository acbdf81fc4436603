import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { renderError } from '../../../cli/report.js';
import { AttncError, errorCodes, exitCodeOf, isErrorCode } from '../../../runtime/util/errors.js';

const root = path.resolve(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('runtime error catalog', () => {
  it('every code in the catalog is raised somewhere in the runtime or the CLI', () => {
    const text = [...sources(path.join(root, 'runtime')), ...sources(path.join(root, 'compiler/cli')), ...sources(path.join(root, 'cli'))]
      .filter((f) => !f.endsWith('error-codes.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const code of Object.keys(errorCodes)) expect(text.includes(`'${code}'`), code).toBe(true);
  });

  it('the CLI exit status comes from the catalog', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const code of Object.keys(errorCodes)) {
        if (!isErrorCode(code)) throw new Error(code);
        expect(renderError(new AttncError(code, 'x')), code).toBe(exitCodeOf(code));
      }
      expect(exitCodeOf('ATTNC_IO_WRITE')).toBe(2);
      expect(exitCodeOf('ATTNC_USAGE_OPTION')).toBe(2);
      expect(exitCodeOf('ATTNC_DATA_PICKLE')).toBe(1);
      expect(renderError(new Error('boom'))).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(isErrorCode('ATTNC_NOPE')).toBe(false);
  });
});
