import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, detectKind } from '../../../runtime/data/check.js';
import { jpegTruncatedScan } from './hostile-files.js';
import { makeImages, tmpDir, writeCocoFixture, writeCubFixture, writeCustomFixture, writeFile } from './make-fixtures.js';

let base: string;
beforeAll(async () => {
  base = await tmpDir('check');
});
afterAll(async () => fs.rm(base, { recursive: true, force: true }));

describe('checkDataset (attnc data check)', () => {
  it('detects the three layouts', async () => {
    const cub = path.join(base, 'cub');
    const coco = path.join(base, 'coco');
    const custom = path.join(base, 'custom');
    await writeCubFixture(cub, { train: makeImages(2, 3), test: [], capsPerImage: 3 });
    await writeCocoFixture(coco, { train: makeImages(2, 5), test: [], capsPerImage: 5 });
    await writeCustomFixture(custom, { train: makeImages(2, 2), test: makeImages(1, 2, { prefix: 't' }) });
    expect(await detectKind(cub)).toBe('cub');
    expect(await detectKind(coco)).toBe('coco');
    expect(await detectKind(custom)).toBe('custom');
    expect(await detectKind(base)).toBeUndefined();
    const r = await checkDataset(custom);
    expect([r.kind, r.kindDetected, r.splits.map((s) => [s.split, s.listed, s.imagesOk]), r.problems]).toEqual(['custom', true, [['train', 2, 2], ['test', 1, 1]], []]);
    const c = await checkDataset(coco);
    expect([c.kind, c.splits.map((s) => [s.split, s.listed, s.imagesOk]), c.problems]).toEqual(['coco', [['train', 2, 2], ['test', 0, 0]], []]);
    expect(c.warnings).toContain(`test: ${path.join(coco, 'test', 'filenames.pickle')} lists no images`);
  });

  it('headers by default, whole images with decode; links out and example lists are checked too', async () => {
    const root = path.join(base, 'custom2');
    await writeCustomFixture(root, { train: makeImages(3, 2), test: [] });
    // Headers and structure are fine, the scan is cut short: only a full decode sees it.
    const cut = path.join(root, 'images', 'img001.jpg');
    await fs.writeFile(cut, jpegTruncatedScan(await fs.readFile(cut)));
    expect((await checkDataset(root)).problems).toEqual([]);
    const d = await checkDataset(root, { decode: true });
    expect(d.problems.map((p) => [p.code, p.path])).toEqual([['ATTNC_DATA_IMAGE', cut]]);
    expect(d.splits[0]!.imagesOk).toBe(2);

    const outside = path.join(base, 'outside.txt');
    await writeFile(outside, 'a b\nc d\n');
    const txt = path.join(root, 'text', 'img002.txt');
    await fs.rm(txt);
    await fs.symlink(outside, txt);
    await writeFile(path.join(root, 'example_filenames.txt'), 'ex\n../outside\n');
    await writeFile(path.join(root, 'ex.txt'), 'a red bird\nzebra\n');
    const r = await checkDataset(root);
    expect(r.problems.map((p) => p.code).sort()).toEqual(['ATTNC_DATA_KEY', 'ATTNC_DATA_KEY']);
    expect(r.problems.some((p) => p.message.startsWith(`${txt}: leads outside the dataset folder`))).toBe(true);
    expect(r.problems.some((p) => p.message.startsWith(`${path.join(root, 'example_filenames.txt')}: line 2: key "../outside" leaves`))).toBe(true);
    expect((await checkDataset(root, { followSymlinks: true })).problems.map((p) => p.code)).toEqual(['ATTNC_DATA_KEY']); // the example list's key still leaves
    // Nothing was written into the folder.
    expect(await fs.readdir(root)).not.toContain('vocab.json');
  });
});
