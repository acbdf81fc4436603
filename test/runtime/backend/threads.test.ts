import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { applyThreads, parseThreads, threadCount } from '../../../runtime/backend/threads.js';
import { AttncError } from '../../../runtime/util/errors.js';

describe('--threads / ATTNC_THREADS', () => {
  it('parses a positive whole number; nothing means TensorFlow decides', () => {
    expect(parseThreads('1')).toBe(1);
    expect(parseThreads(' 4 ')).toBe(4);
    expect(parseThreads(undefined)).toBeUndefined();
    expect(parseThreads('')).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'two']) {
      expect(() => parseThreads(bad)).toThrowError(AttncError);
      expect(() => parseThreads(bad)).toThrowError(`--threads "${bad}" is not a positive whole number`);
    }
  });

  it('sizes both of TensorFlow thread pools, and the count reported is the one asked for', () => {
    const env: NodeJS.ProcessEnv = {};
    applyThreads(undefined, env);
    expect(env).toEqual({});
    expect(threadCount(env)).toBe(os.availableParallelism());
    applyThreads(1, env);
    expect(env).toEqual({ TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' });
    expect(threadCount(env)).toBe(1);
  });
});
