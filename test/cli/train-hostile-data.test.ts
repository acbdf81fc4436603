import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilenamesPickle } from '../../runtime/data/metadata.js';
import { makeImages, tmpDir, writeCubFixture, writeFile } from '../runtime/data/make-fixtures.js';

const bin = path.resolve(import.meta.dirname, '../../bin/attnc.mjs');
let dir: string | undefined;
afterAll(async () => dir && fs.rm(dir, { recursive: true, force: true }));

describe('attnc train on a hostile dataset', () => {
  it('a filenames.pickle key that leaves the folder: one clear error, exit 1, no stack trace, before any training', async () => {
    dir = await tmpDir('train-hostile');
    const data = path.join(dir, 'birds');
    const train = makeImages(4, 10, { prefix: '001.X/x_' });
    await writeCubFixture(data, { train, test: makeImages(2, 10, { prefix: '002.Y/y_' }), capsPerImage: 10 });
    const list = path.join(data, 'train', 'filenames.pickle');
    await writeFile(list, writeFilenamesPickle([...train.map((t) => t.key), '../../../etc/passwd']));
    const r = spawnSync(process.execPath, [bin, 'train', 'generated/attngan2', '--data', data, '--max-steps', '1', '--out', path.join(dir, 'run')], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error[ATTNC_DATA_KEY]: ${list}: item 4: key "../../../etc/passwd" leaves text/ and CUB_200_2011/images/`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await fs.readdir(path.join(dir, 'run', 'checkpoints')).catch(() => [])).toEqual([]);
  });
});
