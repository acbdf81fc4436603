import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDataCheck } from '../../cli/commands/data.js';
import { writeFilenamesPickle } from '../../runtime/data/metadata.js';
import { tokenize } from '../../runtime/data/tokenizer.js';
import { Vocabulary } from '../../runtime/data/vocab.js';
import { jpegWithoutScan, pngDeclaring } from '../runtime/data/hostile-files.js';
import { makeImages, tmpDir, writeCubFixture, writeFile } from '../runtime/data/make-fixtures.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
});
afterEach(() => vi.restoreAllMocks());

const train = makeImages(5, 3, { prefix: '001.X/x_' });
const test = makeImages(2, 3, { prefix: '002.Y/y_' });
let clean: string;
let bad: string;
beforeAll(async () => {
  clean = await tmpDir('check-clean');
  await writeCubFixture(clean, { train, test, capsPerImage: 3 });
  bad = await tmpDir('check-bad');
  await fs.cp(clean, bad, { recursive: true });
  // The broken dataset has its vocabulary (else building it would need the broken test list too).
  const words = [...new Set([...train, ...test].flatMap((im) => im.captions.flatMap(tokenize)))];
  await writeFile(path.join(bad, 'vocab.json'), JSON.stringify(Vocabulary.build([words]).toJSON()));
  const img = (k: string) => path.join(bad, 'CUB_200_2011', 'images', `${k}.jpg`);
  await fs.writeFile(img(train[0]!.key), pngDeclaring(16_000, 16_000));
  await fs.writeFile(img(train[1]!.key), jpegWithoutScan());
  await fs.rm(img(train[2]!.key));
  await writeFile(path.join(bad, 'text', `${train[3]!.key}.txt`), Buffer.from([0x61, 0x20, 0xff, 0x0a, 0x62, 0x0a, 0x63, 0x0a]));
  await writeFile(path.join(bad, 'test', 'filenames.pickle'), writeFilenamesPickle([test[0]!.key, '../../etc/passwd']));
});
afterAll(async () => {
  await fs.rm(clean, { recursive: true, force: true });
  await fs.rm(bad, { recursive: true, force: true });
});

describe('attnc data check', () => {
  it('exit 0 and a summary for a clean dataset; nothing is written into it', async () => {
    const before = (await fs.readdir(clean)).sort();
    expect(await runDataCheck(clean, { color: false, capsPerImage: '3' })).toBe(0);
    expect(out).toBe(
      `${clean}: cub layout (detected)\n` +
        '  train    5 listed, 5 with captions and an image file, 5 image(s) ok\n' +
        '  test     2 listed, 2 with captions and an image file, 2 image(s) ok\n' +
        '  7 image(s) checked\n' +
        `✓ no problems in ${clean}\n`,
    );
    expect(err).toBe('');
    expect((await fs.readdir(clean)).sort()).toEqual(before); // no vocab.json left behind
  });

  it('exit 1 with every problem, named, without a stack trace, and counts per code', async () => {
    expect(await runDataCheck(bad, { color: false, capsPerImage: '3' })).toBe(1);
    const img = (k: string) => path.join(bad, 'CUB_200_2011', 'images', `${k}.jpg`);
    expect(out).toContain(`  train    5 listed, 3 with captions and an image file, 1 image(s) ok\n`);
    expect(out).toContain(`  test     list unreadable, 0 with captions and an image file, 0 image(s) ok\n`);
    expect(out).toContain(`error[ATTNC_DATA_IMAGE]: ${img(train[0]!.key)}: PNG declares 16000 × 16000 pixels, over the limit of 50.0 megapixels\n`);
    expect(out).toContain(`error[ATTNC_DATA_IMAGE]: ${img(train[1]!.key)}: corrupt JPEG (no image data: the file has headers but no scan)\n`);
    expect(out).toContain(`error[ATTNC_DATA_IMAGE]: ${img(train[2]!.key)}: image not found\n`);
    expect(out).toContain(`error[ATTNC_DATA_CAPTIONS]: ${path.join(bad, 'text', `${train[3]!.key}.txt`)}: caption file is not valid UTF-8 (byte 0xff at byte 2)\n`);
    expect(out).toContain(`error[ATTNC_DATA_KEY]: ${path.join(bad, 'test', 'filenames.pickle')}: item 1: key "../../etc/passwd" leaves`);
    expect(out).toMatch(/✗ 5 problem\(s\) in .*: 3 ATTNC_DATA_IMAGE, 1 ATTNC_DATA_KEY, 1 ATTNC_DATA_CAPTIONS\n$/);
    expect(out + err).not.toMatch(/\n\s+at /);
  });

  it('--format json, --split, --kind and --max-side', async () => {
    expect(await runDataCheck(bad, { format: 'json', split: ['train'], kind: 'cub', maxSide: '32', capsPerImage: '3' })).toBe(1);
    const r = JSON.parse(out) as { kind: string; kindDetected: boolean; splits: { split: string }[]; problems: { code: string; message: string }[] };
    expect([r.kind, r.kindDetected, r.splits.map((s) => s.split)]).toEqual(['cub', false, ['train']]);
    // Every image is over 32 px per side now.
    expect(r.problems.filter((p) => /over the limit of 32 pixels per side/.test(p.message))).toHaveLength(2);
  });

  it('a missing folder, an unknown layout and bad options: one clear line, no stack trace', async () => {
    expect(await runDataCheck(path.join(clean, 'nope'), {})).toBe(2);
    expect(err).toContain(`error[ATTNC_IO_READ]: ${path.join(clean, 'nope')}: dataset folder not found`);
    err = '';
    expect(await runDataCheck(path.join(clean, 'text'), {})).toBe(1);
    expect(err).toContain('not a CUB, COCO or custom dataset folder');
    expect(err).toContain('= help: the layouts are described in docs/datasets.md');
    err = '';
    expect(await runDataCheck(clean, { kind: 'flickr' })).toBe(2);
    expect(err).toContain('--kind must be cub, coco or custom, got "flickr"');
    expect(err).not.toMatch(/\n\s+at /);
  });
});
