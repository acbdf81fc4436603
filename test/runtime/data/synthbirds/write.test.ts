import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../../../runtime/data/dataset.js';
import { decodeImage } from '../../../../runtime/data/images.js';
import { readPickle } from '../../../../runtime/io/pickle.js';
import { Rng } from '../../../../runtime/util/rng.js';
import { tokenize } from '../../../../runtime/data/synthbirds/captions.js';
import { synthBirds } from '../../../../runtime/data/synthbirds/dataset.js';
import { readSynthAttributes } from '../../../../runtime/data/synthbirds/labels.js';
import { writeSynthBirds, type SynthAttributesRecord } from '../../../../runtime/data/synthbirds/write.js';
import { isAttncError } from '../../../../runtime/util/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-synth-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ds = synthBirds({ n: 60, size: 32, seed: 5 });
const out = path.join(tmp, 'birds');
const result = writeSynthBirds(ds, out);
const read = (rel: string) => fs.readFileSync(path.join(out, rel));

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('synthbirds CUB-layout writer', () => {
  it('writes the AttnGAN CUB layout', () => {
    for (const f of [
      'captions.pickle', 'attributes.jsonl', 'example_filenames.txt', 'example_captions.txt', 'preview.png', 'synthbirds.json',
      'CUB_200_2011/images.txt', 'CUB_200_2011/bounding_boxes.txt',
      'train/filenames.pickle', 'train/class_info.pickle', 'test/filenames.pickle', 'test/class_info.pickle',
      'heldout/filenames.pickle', 'heldout/class_info.pickle',
    ]) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    for (const it of ds.items) {
      expect(fs.existsSync(path.join(out, 'CUB_200_2011/images', `${it.key}.jpg`))).toBe(true);
      expect(read(`text/${it.key}.txt`).toString('utf8')).toBe(it.captions.join('\n') + '\n');
    }
    expect(result.counts.train + result.counts.test + result.counts.heldout).toBe(60);
    // gen_example: each listed name is a caption file (relative to DATA_DIR, without .txt).
    const examples = read('example_filenames.txt').toString().trim().split('\n');
    for (const e of examples) expect(read(`${e}.txt`).toString().trim().split('\n').length).toBeGreaterThan(0);
  });

  it('pickles read back: filenames and class ids per split, captions.pickle with a sorted vocabulary', () => {
    for (const split of ['train', 'test', 'heldout'] as const) {
      const keys = readPickle(read(`${split}/filenames.pickle`));
      const classes = readPickle(read(`${split}/class_info.pickle`));
      expect(keys).toEqual(ds.splits[split].map((i) => ds.items[i]!.key));
      expect(classes).toEqual(ds.splits[split].map((i) => ds.items[i]!.classId));
    }
    const [train, test, ixtoword, wordtoix] = readPickle(read('captions.pickle')) as [number[][], number[][], Record<string, string>, Record<string, number>];
    const words = Object.keys(ixtoword).sort((a, b) => +a - +b).map((k) => ixtoword[k]!);
    expect(words[0]).toBe('<end>');
    expect(words.slice(1)).toEqual([...words.slice(1)].sort());
    words.forEach((w, i) => expect(wordtoix[w]).toBe(i));
    expect(train).toHaveLength(ds.splits.train.length * 10);
    expect(test).toHaveLength(ds.splits.test.length * 10);
    const it0 = ds.items[ds.splits.train[0]!]!;
    expect(train.slice(0, 10).map((ids) => ids.map((i) => words[i]))).toEqual(it0.captions.map(tokenize));
  });

  it('images are lossless PNG data under the .jpg names the original opens, with true boxes', () => {
    const images = read('CUB_200_2011/images.txt').toString().trim().split('\n');
    const boxes = read('CUB_200_2011/bounding_boxes.txt').toString().trim().split('\n');
    const attrs = read('attributes.jsonl').toString().trim().split('\n').map((l) => JSON.parse(l) as SynthAttributesRecord);
    expect(images).toHaveLength(60);
    expect(boxes).toHaveLength(60);
    for (const it of ds.items.slice(0, 10)) {
      expect(images[it.index]).toBe(`${it.index + 1} ${it.key}.jpg`);
      const r = ds.render(it.index);
      expect(boxes[it.index]).toBe(`${it.index + 1} ${r.bbox.map((v) => v.toFixed(1)).join(' ')}`);
      const img = decodeImage(read(`CUB_200_2011/images/${it.key}.jpg`), it.key);
      expect([img.width, img.height]).toEqual([32, 32]);
      expect(Buffer.from(img.data).equals(Buffer.from(r.rgb))).toBe(true);
      expect(attrs[it.index]).toEqual({ index: it.index, key: it.key, split: it.split, classId: it.classId, ...it.attributes, bbox: r.bbox });
    }
  });

  it('exports every label for evaluation code (readSynthAttributes)', () => {
    const labels = readSynthAttributes(out);
    expect(labels.size).toBe(60);
    for (const it of ds.items) expect(labels.get(it.key)).toMatchObject({ ...it.attributes, classId: it.classId, split: it.split });
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'attributes.jsonl'), read('attributes.jsonl').toString().replace('"wing":"', '"wing":"x'));
    expect(() => readSynthAttributes(broken)).toThrow(/attributes\.jsonl:1: wing must be one of/);
    expect(() => readSynthAttributes(path.join(tmp, 'nowhere'))).toThrow(/not found/);
  });

  it('is deterministic: writing the same dataset again gives byte-identical files', () => {
    const again = path.join(tmp, 'again');
    writeSynthBirds(synthBirds({ n: 60, size: 32, seed: 5 }), again);
    expect(treeHash(again)).toBe(treeHash(out));
    // Rewriting over an earlier synth dataset is allowed and leaves no stale images behind.
    writeSynthBirds(synthBirds({ n: 20, size: 32, seed: 6 }), again);
    const imgs = fs.readdirSync(path.join(again, 'CUB_200_2011/images'), { recursive: true }).filter((f) => String(f).endsWith('.jpg'));
    expect(imgs).toHaveLength(20);
  });

  it('refuses folders it must not write into, as AttncError', () => {
    const busy = path.join(tmp, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    const small = synthBirds({ n: 2, size: 32 });
    const fail = (dir: string) => {
      try {
        writeSynthBirds(small, dir);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = fail(busy);
    expect(isAttncError(e1) && e1.code).toBe('ATTNC_IO_WRITE');
    const e2 = fail(path.join(busy, 'notes.txt', 'sub'));
    expect(isAttncError(e2) && e2.code).toBe('ATTNC_IO_WRITE');
    // --force writes anyway; after that the folder holds a synth dataset and may be rewritten.
    expect(fs.existsSync(path.join(writeSynthBirds(small, busy, { force: true }).outDir, 'synthbirds.json'))).toBe(true);
    expect(() => writeSynthBirds(small, busy)).not.toThrow();
    expect(fs.readFileSync(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('opens in the CUB loader and round-trips captions and class ids', async () => {
    for (const split of ['train', 'test', 'heldout'] as const) {
      const cub = await openDataset({
        kind: 'cub', root: out, split, capsPerImage: 10, wordsNum: 18, imageSizes: [32], augment: false, onBadFile: 'error', seed: 0,
      });
      const mine = ds.splits[split].map((i) => ds.items[i]!);
      expect(mine.length).toBeGreaterThan(0);
      // heldout is not in captions.pickle (the original format has train and test only): its captions
      // come from text/ and are encoded with the pickle's vocabulary.
      expect(cub.vocabSource).toBe('captions.pickle');
      expect(cub.size).toBe(mine.length);
      expect([...cub.keys]).toEqual(mine.map((it) => it.key));
      for (let i = 0; i < Math.min(3, cub.size); i++) {
        const s = await cub.getSample(i, Rng.stream(i));
        expect(s.key).toBe(mine[i]!.key);
        expect(s.classId).toBe(mine[i]!.classId);
        expect(s.captions.map((ids) => cub.vocab.decode(ids))).toEqual(mine[i]!.captions.map(tokenize));
        expect([s.image.width, s.image.height]).toEqual([32, 32]);
      }
    }
  });
});
