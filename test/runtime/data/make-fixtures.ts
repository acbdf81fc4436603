import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeJpeg, encodePng } from '../../../runtime/data/images.js';
import type { RgbImage } from '../../../runtime/data/images.js';
import { writeCaptionsPickle, writeClassInfoPickle, writeFilenamesPickle } from '../../../runtime/data/metadata.js';
import { tokenize } from '../../../runtime/data/tokenizer.js';
import { Vocabulary } from '../../../runtime/data/vocab.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/data');

/** R = x ramp, G = y ramp, B = `blue`: every crop and flip is visible in the pixels. */
export function gradientImage(w: number, h: number, blue = 128): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = Math.round((x * 255) / Math.max(1, w - 1));
      data[o + 1] = Math.round((y * 255) / Math.max(1, h - 1));
      data[o + 2] = blue;
    }
  }
  return { data, width: w, height: h };
}

export async function tmpDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `attnc-${prefix}-`));
}

export async function writeFile(file: string, data: Uint8Array | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

export interface FixtureImage {
  key: string;
  classId?: number;
  size: [number, number];
  bbox?: [number, number, number, number];
  captions: string[];
  format?: 'jpeg' | 'png';
}

function encode(img: FixtureImage, i: number): Uint8Array {
  const rgb = gradientImage(img.size[0], img.size[1], 40 + ((i * 37) % 200));
  return img.format === 'png' ? encodePng(rgb) : encodeJpeg(rgb, 95);
}

function tokensOf(imgs: FixtureImage[], capsPerImage: number): string[][] {
  return imgs.flatMap((im) => im.captions.slice(0, capsPerImage).map(tokenize));
}

/** A CUB-layout folder; with `pickle` the metadata pickles and captions.pickle come from our writer. */
export async function writeCubFixture(
  dir: string,
  spec: { train: FixtureImage[]; test: FixtureImage[]; capsPerImage: number; captionsPickle?: boolean },
): Promise<void> {
  const all = [...spec.train, ...spec.test];
  for (const [i, im] of all.entries()) {
    await writeFile(path.join(dir, 'CUB_200_2011', 'images', `${im.key}.jpg`), encode(im, i));
    await writeFile(path.join(dir, 'text', `${im.key}.txt`), im.captions.join('\n') + '\n');
  }
  await writeFile(path.join(dir, 'CUB_200_2011', 'images.txt'), all.map((im, i) => `${i + 1} ${im.key}.jpg\n`).join(''));
  await writeFile(
    path.join(dir, 'CUB_200_2011', 'bounding_boxes.txt'),
    all.map((im, i) => `${i + 1} ${(im.bbox ?? [0, 0, im.size[0], im.size[1]]).map((v) => v.toFixed(1)).join(' ')}\n`).join(''),
  );
  for (const [split, imgs] of [['train', spec.train], ['test', spec.test]] as const) {
    await writeFile(path.join(dir, split, 'filenames.pickle'), writeFilenamesPickle(imgs.map((im) => im.key)));
    await writeFile(path.join(dir, split, 'class_info.pickle'), writeClassInfoPickle(imgs.map((im, i) => im.classId ?? i + 1)));
  }
  if (spec.captionsPickle) await writeCaptionsPickleFor(dir, spec.train, spec.test, spec.capsPerImage);
}

export async function writeCaptionsPickleFor(dir: string, train: FixtureImage[], test: FixtureImage[], capsPerImage: number): Promise<Vocabulary> {
  const trainTok = tokensOf(train, capsPerImage);
  const testTok = tokensOf(test, capsPerImage);
  const vocab = Vocabulary.build([...trainTok, ...testTok]);
  const enc = (t: string[][]) => t.map((c) => vocab.encode(c).ids);
  await writeFile(path.join(dir, 'captions.pickle'), writeCaptionsPickle({ train: enc(trainTok), test: enc(testTok), vocab }));
  return vocab;
}

/** A COCO-layout folder (images/<key>.jpg, text/<key>.txt, <split>/filenames.pickle). */
export async function writeCocoFixture(
  dir: string,
  spec: { train: FixtureImage[]; test: FixtureImage[]; capsPerImage: number; captionsPickle?: boolean },
): Promise<void> {
  for (const [i, im] of [...spec.train, ...spec.test].entries()) {
    await writeFile(path.join(dir, 'images', `${im.key}.jpg`), encode(im, i));
    await writeFile(path.join(dir, 'text', `${im.key}.txt`), im.captions.join('\n') + '\n');
  }
  for (const [split, imgs] of [['train', spec.train], ['test', spec.test]] as const) {
    await writeFile(path.join(dir, split, 'filenames.pickle'), writeFilenamesPickle(imgs.map((im) => im.key)));
  }
  if (spec.captionsPickle) await writeCaptionsPickleFor(dir, spec.train, spec.test, spec.capsPerImage);
}

/** A custom-layout folder (images/<key>.<ext>, text/<key>.txt, train.txt / test.txt). */
export async function writeCustomFixture(dir: string, spec: { train: FixtureImage[]; test: FixtureImage[]; withClasses?: boolean }): Promise<void> {
  for (const [i, im] of [...spec.train, ...spec.test].entries()) {
    await writeFile(path.join(dir, 'images', `${im.key}.${im.format === 'png' ? 'png' : 'jpg'}`), encode(im, i));
    await writeFile(path.join(dir, 'text', `${im.key}.txt`), im.captions.join('\n') + '\n');
  }
  for (const [split, imgs] of [['train', spec.train], ['test', spec.test]] as const) {
    await writeFile(
      path.join(dir, `${split}.txt`),
      imgs.map((im) => (spec.withClasses ? `${im.key} ${im.classId ?? 0}\n` : `${im.key}\n`)).join(''),
    );
  }
}

const WORDS = ['red', 'blue', 'small', 'bird', 'wings', 'beak', 'long', 'short', 'tail', 'white', 'black', 'crown', 'belly', 'has', 'a', 'the'];

/** `n` images named `<prefix><i>` with `caps` distinct captions of varying length each. */
export function makeImages(n: number, caps: number, opts: { prefix?: string; size?: [number, number]; longEvery?: number } = {}): FixtureImage[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${opts.prefix ?? 'img'}${String(i).padStart(3, '0')}`,
    classId: 1 + (i % 3),
    size: opts.size ?? [40 + (i % 3) * 8, 32 + (i % 2) * 12],
    bbox: [4, 3, 20 + (i % 4), 18],
    captions: Array.from({ length: caps }, (_, j) => {
      const len = 3 + ((i * 7 + j * 5) % 9) + (opts.longEvery && j % opts.longEvery === 0 ? 20 : 0);
      return Array.from({ length: len }, (_, k) => WORDS[(i + j * 3 + k * 5) % WORDS.length]).join(' ') + '.';
    }),
  }));
}
