import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFuzz } from './harness.js';
import type { FuzzSummary } from './harness.js';
import { READERS } from './readers.js';

// A few hundred seeded cases in `npm test`; `npm run bench -- fuzz` runs many more (bench/README.md).
const CASES_PER_READER = 25;

let work: string;
afterAll(async () => work && fs.rm(work, { recursive: true, force: true }));

describe('fuzzing every reader', () => {
  it(`${CASES_PER_READER} seeded mutations per reader: a clear AttncError naming the file or a valid result, never a crash, escape, hang or blow-up`, async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'attnc-fuzz-readers-'));
    const s: FuzzSummary = await runFuzz(READERS, { casesPerReader: CASES_PER_READER, seed: 20181128, workDir: work });
    const show = s.failures.slice(0, 5).map((f) => `${f.reader} [${f.seed}; ${f.ops.join(', ')}] ${f.kind}: ${f.detail}`);
    expect(show).toEqual([]);
    expect(s.cases).toBe(READERS.length * CASES_PER_READER);
    for (const r of READERS) {
      const c = s.byReader[r.name]!;
      expect(c.ok ?? 0, `${r.name}: its seeds are read`).toBeGreaterThan(0);
      expect(c.error ?? 0, `${r.name}: some mutations are refused`).toBeGreaterThan(0);
    }
  });

  it('the harness flags a crash, an unnamed error and an escaping path', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'attnc-fuzz-self-'));
    const { AttncError } = await import('../../runtime/util/errors.js');
    const seeds = async () => [{ name: 's', bytes: new Uint8Array([1, 2, 3]) }];
    const s = await runFuzz(
      [
        { name: 'crash', target: 'f', seeds, read: async () => { throw new TypeError('boom'); } },
        { name: 'unnamed', target: 'f', seeds, read: async () => { throw new AttncError('ATTNC_DATA_CONFIG', 'something is wrong'); } },
        { name: 'escape', target: 'f', seeds, read: async (_f, root) => [path.join(root, '..', 'bait', 'x.txt')] },
        { name: 'peek', target: 'f', seeds, read: async (_f, root) => void (await fs.readFile(path.join(root, '..', 'bait', 'x.jpg'))) },
      ],
      { casesPerReader: 2, seed: 1, workDir: dir },
    );
    // Reads of the bait are seen through access times (relatime, the Linux default; not under noatime).
    const peek = s.baitWatched ? ['escape', 'escape'] : [];
    expect(s.failures.map((f) => f.kind)).toEqual(['crash', 'crash', 'unnamed', 'unnamed', 'escape', 'escape', ...peek]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
