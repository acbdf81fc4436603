import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lowerPlan } from '../../../compiler/lower/plan.js';
import { loadSpec } from '../../../compiler/spec.js';
import { disposeBatch, openDataset } from '../../../runtime/data/dataset.js';
import { datasetConfigFromPlan } from '../../../runtime/model/data.js';
import type { DataPlan } from '../../../runtime/model/plan.js';

const SPEC_DIR = path.resolve(import.meta.dirname, '../../../spec');
const shipped = fs.readdirSync(SPEC_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** The data section as lowering puts it into the generated plan. */
async function dataOf(file: string, set: string[] = []): Promise<DataPlan> {
  const r = await loadSpec(path.join(SPEC_DIR, file), { set });
  if (!r.ok) throw new Error(`${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return lowerPlan(r.spec, file, '').data;
}

type Data = DataPlan;
const base: Omit<Data, 'dataset'> = {
  capsPerImage: 5,
  wordsNum: 12,
  longCaptions: 'truncate',
  imageSizes: [32, 64],
  augmentation: { resizeRatio: 1.25, randomCrop: true, horizontalFlip: false },
};

describe('datasetConfigFromPlan', () => {
  it('finds the shipped specs', () => {
    expect(shipped).toContain('tiny.yaml');
    expect(shipped.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of shipped) {
    it(`maps ${file} for train and test`, async () => {
      const data = await dataOf(file);
      for (const split of ['train', 'test'] as const) {
        const c = datasetConfigFromPlan(data, split, { seed: 9 });
        expect(c.kind).toBe(data.dataset.kind);
        expect(c.split).toBe(split);
        expect(c.capsPerImage).toBe(data.capsPerImage);
        expect(c.wordsNum).toBe(data.wordsNum);
        expect(c.longCaptions).toBe(data.longCaptions);
        expect(c.imageSizes).toEqual(data.imageSizes);
        expect(c.resizeRatio).toBe(data.augmentation.resizeRatio);
        expect(c.augment).toBe(true); // every shipped spec crops and flips
        expect(c.onBadFile).toBe('error');
        expect(c.seed).toBe(9);
        if (c.kind === 'synthbirds') {
          const d = data.dataset as Extract<Data['dataset'], { kind: 'synthbirds' }>;
          expect(c.synth).toEqual({ images: d.images, seed: d.seed, testFraction: d.testFraction, heldoutFraction: d.heldoutFraction });
          expect(c.root).toBeUndefined();
        } else {
          expect(c.root).toBe((data.dataset as { root: string }).root);
        }
        if (c.kind === 'cub') expect(c.bboxCrop).toBe(true);
      }
    });
  }

  it('tiny.yaml opens in memory and yields its 32/64 px batches', async () => {
    const c = datasetConfigFromPlan(await dataOf('tiny.yaml'), 'train', { seed: 1 });
    expect(c).toMatchObject({ kind: 'synthbirds', capsPerImage: 5, wordsNum: 12, imageSizes: [32, 64], resizeRatio: 1.125 });
    const ds = await openDataset(c);
    expect(ds.size).toBeGreaterThan(1500); // ~81 % of 2000
    for await (const b of ds.batches({ batchSize: 2, prefetch: 0 })) {
      expect(b.images.map((t) => t.shape)).toEqual([[2, 32, 32, 3], [2, 64, 64, 3]]);
      expect(b.captions.shape[1]).toBeLessThanOrEqual(12);
      disposeBatch(b);
      break;
    }
    await ds.close();
  });

  it('--set overrides reach the config', async () => {
    const data = await dataOf('tiny.yaml', ['data.dataset.images=300', 'data.augmentation.horizontal_flip=false']);
    const c = datasetConfigFromPlan(data, 'heldout');
    expect(c.kind === 'synthbirds' && c.synth.images).toBe(300);
    expect(c.augment).toEqual({ randomCrop: true, flip: false });
    expect(c.split).toBe('heldout');
    expect(c.seed).toBe(0);
  });

  it('cub, coco and custom: every field, relative roots against baseDir, overrides', () => {
    const cub = datasetConfigFromPlan({ ...base, dataset: { kind: 'cub', root: 'data/birds', bboxCrop: false } }, 'test', {
      baseDir: '/srv/attnc', onBadFile: 'skip', augment: false, vocabFile: '/tmp/v.json',
    });
    expect(cub).toEqual({
      kind: 'cub', root: path.resolve('/srv/attnc', 'data/birds'), bboxCrop: false, vocabFile: '/tmp/v.json', split: 'test',
      capsPerImage: 5, wordsNum: 12, longCaptions: 'truncate', imageSizes: [32, 64], augment: false, resizeRatio: 1.25,
      onBadFile: 'skip', seed: 0,
    });
    const coco = datasetConfigFromPlan({ ...base, dataset: { kind: 'coco', root: '/abs/coco' } }, 'train', { baseDir: '/elsewhere' });
    expect(coco).toMatchObject({ kind: 'coco', root: '/abs/coco', augment: { randomCrop: true, flip: false } });
    expect('vocabFile' in coco).toBe(false);
    expect(datasetConfigFromPlan({ ...base, dataset: { kind: 'coco', root: 'data/coco' } }, 'train', { root: '/mnt/coco' })).toMatchObject({ root: '/mnt/coco' });
    const custom = datasetConfigFromPlan(
      { ...base, dataset: { kind: 'custom', root: 'mine', imagesDir: 'pics', textDir: 'caps', imageExt: '.png', classIds: false } },
      'train',
    );
    expect(custom).toMatchObject({ kind: 'custom', root: 'mine', imagesDir: 'pics', textDir: 'caps', imageExt: '.png', listClassIds: false });
  });

  it('the mapped custom config reads its configured folders', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-from-spec-'));
    try {
      const { encodePng } = await import('../../../runtime/data/images.js');
      const img = { data: new Uint8Array(40 * 40 * 3).map((_, i) => (i * 7) & 255), width: 40, height: 40 };
      fs.mkdirSync(path.join(tmp, 'pics'));
      fs.mkdirSync(path.join(tmp, 'caps'));
      for (const k of ['a', 'b']) {
        fs.writeFileSync(path.join(tmp, 'pics', `${k}.png`), encodePng(img));
        fs.writeFileSync(path.join(tmp, 'caps', `${k}.txt`), 'a red bird\na small bird with red wings\n');
      }
      fs.writeFileSync(path.join(tmp, 'train.txt'), 'a\nb\n');
      const c = datasetConfigFromPlan(
        { ...base, capsPerImage: 2, imageSizes: [16], dataset: { kind: 'custom', root: path.basename(tmp), imagesDir: 'pics', textDir: 'caps', imageExt: '.png', classIds: false } },
        'train',
        { baseDir: path.dirname(tmp), vocabFile: path.join(tmp, 'vocab.json') },
      );
      const ds = await openDataset(c);
      expect(ds.keys).toEqual(['a', 'b']);
      for await (const b of ds.batches({ batchSize: 2 })) {
        expect(b.images[0]!.shape).toEqual([2, 16, 16, 3]);
        disposeBatch(b);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
