import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shownPath } from '../../../runtime/util/shown-path.js';

describe('shownPath: relative inside the working folder, absolute outside it', () => {
  const cwd = '/home/me/project';
  it.each([
    ['runs/tiny-1', 'runs/tiny-1'],
    ['./runs/tiny-1/', 'runs/tiny-1'],
    ['/home/me/project/runs/tiny-1', 'runs/tiny-1'],
    ['/home/me/project', '.'],
    ['../other/run', '/home/me/other/run'],
    ['/data/runs/tiny-1', '/data/runs/tiny-1'],
    ['/home/me/project-2/run', '/home/me/project-2/run'],
    ['..', '/home/me'],
    ['..foo/run', '..foo/run'],
  ])('%s → %s', (p, want) => {
    expect(shownPath(p, cwd)).toBe(want.split('/').join(path.sep));
  });
});
