// One exit code per error class (issue 20, item 9), whatever the command: 2 for usage and I/O — a
// file or folder the command names that does not exist or cannot be read, an output that cannot
// be written —, 1 for an input that was read and is invalid. Before, "not found" was 2 for a spec,
// 1 for a run folder, a dataset folder and `import --spec`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-exit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const nowhere = path.join(tmp, 'nowhere');

async function run(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await main(args);
    return { code, err: err.join('') };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

describe('exit codes by error class', () => {
  afterEach(() => vi.restoreAllMocks());

  const notFound: Array<[string, string[]]> = [
    ['validate', ['validate', `${nowhere}.yaml`]],
    ['explain', ['explain', `${nowhere}.yaml`]],
    ['compile', ['compile', `${nowhere}.yaml`, '--no-typecheck']],
    ['diff', ['diff', `${nowhere}.yaml`, 'spec/tiny.yaml']],
    ['eval (spec)', ['eval', `${nowhere}.yaml`]],
    ['eval (run)', ['eval', nowhere]],
    ['sample', ['sample', nowhere, '--text', 'a red bird']],
    ['export', ['export', nowhere, '--out', path.join(tmp, 'x')]],
    ['train', ['train', nowhere]],
    ['import --spec', ['import', '--spec', `${nowhere}.yaml`, '--generator', 'g.pth', '--text-encoder', 't.pth', '--out', path.join(tmp, 'y')]],
    ['data check', ['data', 'check', nowhere]],
  ];
  for (const [what, args] of notFound) {
    it(`${what}: a path that does not exist is exit 2, naming it`, async () => {
      const { code, err } = await run(args);
      // As the user wrote it: absolute (the temp folder is outside the working folder), not `../../tmp/…`,
      // which contains the absolute path as a substring but is not what was typed.
      expect(err).toMatch(new RegExp(`(^|[\\s"'(])${nowhere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
      expect(err).not.toContain('../');
      expect(err).not.toMatch(/internal error|\n\s+at /);
      expect(code).toBe(2);
    });
  }

  it('an invalid spec is exit 1 in validate, compile, diff and import alike', async () => {
    const bad = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(bad, 'attnc: 1\nname: bad\nextends: attnc:tiny\ntrain: {gan: {batch_szie: 3}}\n');
    for (const args of [['validate', bad], ['compile', bad, '--no-typecheck'], ['diff', bad, 'spec/tiny.yaml'],
      ['import', '--spec', bad, '--generator', 'g.pth', '--text-encoder', 't.pth', '--out', path.join(tmp, 'z')]]) {
      const { code, err } = await run(args);
      expect(err, args[0]).toMatch(/batch_szie|not valid/);
      expect(code, args[0]).toBe(1);
    }
  });
});
