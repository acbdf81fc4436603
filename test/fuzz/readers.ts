import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec } from '../../compiler/spec.js';
import { readCubBboxes } from '../../runtime/data/cub.js';
import { customLayout } from '../../runtime/data/custom.js';
import { readExampleCaptions } from '../../runtime/data/examples.js';
import { decodeImage, encodePng } from '../../runtime/data/images.js';
import { readCaptionTokens } from '../../runtime/data/layout.js';
import { parseCaptionsPickle, readSplitKeys, writeFilenamesPickle } from '../../runtime/data/metadata.js';
import { readPickle } from '../../runtime/io/pickle.js';
import { Vocabulary } from '../../runtime/data/vocab.js';
import { readVocabularyFile } from '../../runtime/data/vocab-file.js';
import { decodeSafetensors, encodeSafetensors } from '../../runtime/io/safetensors.js';
import { readPthFile } from '../../runtime/io/pth.js';
import { readManifest } from '../../runtime/io/checkpoint.js';
import { AttncError } from '../../runtime/util/errors.js';
import { pngDeclaring, smallJpeg } from '../runtime/data/hostile-files.js';
import { gradientImage, makeImages, writeCustomFixture } from '../runtime/data/make-fixtures.js';
import type { FuzzReader, FuzzSeed } from './harness.js';
import { tokens } from './mutate.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = path.join(REPO, 'test/fixtures/data');

async function files(dir: string, pattern: RegExp): Promise<FuzzSeed[]> {
  const names = (await fs.readdir(dir)).filter((n) => pattern.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await fs.readFile(path.join(dir, name))) })));
}

const text = (name: string, s: string): FuzzSeed => ({ name, bytes: new TextEncoder().encode(s) });

/** Tokens that try to leave the folder or break the text rule. */
const TEXT_TOKENS = tokens('../', '  ', '../bait/x', '../../bait/x', '../../../bait/x', '/etc/passwd', '\x00', '\x00../', '\xff', '\xc0\xaf', '\xed\xa0\x80', '\xef\xbb\xbf', '\r\n', '\n', ' 7', '#', '\\..\\', 'C:', './', '//');

const PICKLE_TOKENS = tokens(
  '(', ']', '}', ')', 'a', 'e', 'u', 's', 't', '.', '0', '1', '2',
  '\x80\x02', '\x80\x04', '\x95\xff\xff\xff\xff\xff\xff\xff\x7f', // FRAME of 2^63 bytes
  'q\x00', 'h\x00', 'h\xff', 'j\xff\xff\xff\x7f', 'r\xff\xff\xff\x7f', '\x94',
  'X\xff\xff\xff\x7f', 'X\x09\x00\x00\x00../bait/x', '\x8c\x09../bait/x', 'B\xff\xff\xff\xff', '\x8b\xff\xff\xff\x7f',
  'J\xff\xff\xff\xff', 'K\xff', 'M\xff\xff', '\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f',
  'cos\nsystem\n', '\x93', 'R', 'b', '\x81',
);

const spec = async (root: string) => fs.cp(path.join(REPO, 'spec'), path.join(root, 'spec'), { recursive: true });

/**
 * Every file reader of the data layer (and the spec loader), as fuzz targets. Owners of other
 * readers (safetensors, .pth, checkpoint manifests) add one entry here.
 */
export const READERS: FuzzReader[] = [
  {
    name: 'pickle',
    target: 'x.pickle',
    seeds: async () => [...(await files(path.join(FIX, 'pickles'), /^(mixed|py2|attnc|set).*\.pickle$/)), ...(await files(path.join(FIX, 'cub-py/train'), /\.pickle$/))],
    tokens: PICKLE_TOKENS,
    read: async (file) => void readPickle(await fs.readFile(file), file),
  },
  {
    name: 'captions.pickle',
    target: 'captions.pickle',
    seeds: () => files(path.join(FIX, 'cub-py'), /^captions\.pickle$/),
    tokens: PICKLE_TOKENS,
    read: async (file) => void parseCaptionsPickle(readPickle(await fs.readFile(file), file), file),
  },
  {
    name: 'filenames.pickle',
    target: 'train/filenames.pickle',
    seeds: async () => [
      ...(await files(path.join(FIX, 'cub-py/train'), /^filenames\.pickle$/)),
      { name: 'keys', bytes: writeFilenamesPickle(['001.A/a_1', '002.B/b_2', 'sub/../001.A/a_3']) },
    ],
    tokens: PICKLE_TOKENS,
    read: async (_file, root) => (await readSplitKeys(root, 'train', 'text/ and images/'))!.keys.flatMap((k) => [path.join(root, 'text', `${k}.txt`), path.join(root, 'images', `${k}.jpg`)]),
  },
  {
    name: 'png',
    target: 'img.png',
    seeds: async () => [
      { name: 'gradient', bytes: encodePng(gradientImage(12, 9)) },
      { name: 'zeros', bytes: pngDeclaring(16, 16, 16) },
      ...(await files(path.join(FIX, 'pillow'), /^bilinear_(9x7|17x13)\.png$/)),
    ],
    tokens: tokens('IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', '\x00\x00\x00\x0dIHDR', '\xff\xff\xff\xff', '\x00\x01\x86\xa0\x00\x01\x86\xa0'),
    read: async (file) => void decodeImage(await fs.readFile(file), file),
  },
  {
    name: 'jpeg',
    target: 'img.jpg',
    seeds: async () => [{ name: 'small', bytes: smallJpeg() }, ...(await files(path.join(FIX, 'pillow'), /^jpeg4(20|20_progressive|22)\.jpg$/))],
    tokens: tokens('\xff\xd8', '\xff\xd9', '\xff\xda', '\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03', '\xff\xc2', '\xff\xc4\xff\xff', '\xff\xdb\x00\x43', '\xff\xdd\x00\x04\x00\x01', '\xff\xee\x00\x0eAdobe', '\xff\xd0', '\xff\x00', '\xff\xff'),
    read: async (file) => void decodeImage(await fs.readFile(file), file),
  },
  {
    name: 'caption file',
    target: 'text/001.A/a_1.txt',
    seeds: async () => [
      text('plain', 'this bird has a red crown\na small bird with black wings\n\nthe belly is white.\n'),
      text('crlf-bom', '\ufeffa red bird\r\nwith a short beak\r\nand long wings\r\n'),
      text('unicode', 'a naïve bird\n\ufffd\ufffd a bird\nthird caption here\n'),
    ],
    tokens: TEXT_TOKENS,
    read: async (file) => void (await readCaptionTokens(file, 3)),
  },
  {
    name: 'split list (custom)',
    target: 'train.txt',
    setup: (root) => writeCustomFixture(root, { train: makeImages(3, 2), test: [] }),
    seeds: async () => [text('keys', 'img000\nimg001 4\n# comment\nimg002.jpg\n'), text('classes', 'img000 1\nimg001 2\nimg002 3\n')],
    tokens: TEXT_TOKENS,
    async read(_file, root) {
      const layout = customLayout({ kind: 'custom', root, split: 'train', capsPerImage: 2, wordsNum: 8, imageSizes: [8], augment: false, onBadFile: 'error', seed: 0 });
      const listed = await layout.listSplit('train');
      return listed!.keys.flatMap((k) => [layout.textPath(k), ...layout.imageCandidates(k)]);
    },
  },
  {
    name: 'example list',
    target: 'example_filenames.txt',
    async setup(root) {
      await fs.mkdir(path.join(root, 'sub'), { recursive: true });
      await fs.writeFile(path.join(root, 'ex.txt'), 'a red bird\nbird\n');
      await fs.writeFile(path.join(root, 'sub', 'two.txt'), 'red\n');
    },
    seeds: async () => [text('two', 'ex\nsub/two\n')],
    tokens: TEXT_TOKENS,
    read: async (_file, root) => (await readExampleCaptions(root, Vocabulary.build([['a', 'red', 'bird']]))).map((e) => e.file),
  },
  {
    name: 'example captions',
    target: 'ex.txt',
    setup: (root) => fs.writeFile(path.join(root, 'example_filenames.txt'), 'ex\n'),
    seeds: async () => [text('three', 'a red bird\n\nbird with a zebra\nred\n')],
    tokens: TEXT_TOKENS,
    read: async (_file, root) => (await readExampleCaptions(root, Vocabulary.build([['a', 'red', 'bird', 'with']]))).map((e) => e.file),
  },
  ...(['images.txt', 'bounding_boxes.txt'] as const).map(
    (name): FuzzReader => ({
      name,
      target: `CUB_200_2011/${name}`,
      setup: (root) => fs.cp(path.join(FIX, 'cub-py/CUB_200_2011'), path.join(root, 'CUB_200_2011'), { recursive: true }),
      seeds: () => files(path.join(FIX, 'cub-py/CUB_200_2011'), new RegExp(`^${name.replace('.', '\\.')}$`)),
      tokens: TEXT_TOKENS.concat(tokens(' 1e308', ' -5', ' nan', ' 0x10', '\t')),
      read: async (_file, root) => void (await readCubBboxes(path.join(root, 'CUB_200_2011'))),
    }),
  ),
  {
    name: 'vocab.json',
    target: 'vocab.json',
    seeds: async () => [text('vocab', JSON.stringify(Vocabulary.build([['a', 'red', 'bird', '__proto__', 'constructor']]).toJSON()))],
    tokens: tokens('{', '[', '"', '"words":', '"<end>"', '1e999', '"__proto__":', 'null', ',', '\\u0000', '\\ud800', '\xff'),
    read: async (file) => void (await readVocabularyFile(file)),
  },
  {
    name: 'safetensors',
    target: 'weights.safetensors',
    seeds: async () => [
      {
        name: 'two tensors',
        bytes: encodeSafetensors([
          ['conv.weight', { shape: [2, 3, 1, 1], data: Float32Array.from({ length: 6 }, (_, i) => i / 7) }],
          ['conv.bias', { shape: [2], data: new Float32Array([0.5, -1]) }],
        ], { format: 'pt' }),
      },
      { name: 'empty', bytes: encodeSafetensors([]) },
    ],
    tokens: tokens('{', '}', '"dtype":"F16",', '"dtype":"X9",', '"shape":[4294967296,4294967296],', '"data_offsets":[0,9007199254740991]', '"__metadata__":{"a":1},', '\xff\xff\xff\xff\xff\xff\xff\x7f', '\x00\x00\x00\x06\x00\x00\x00\x00'),
    read: async (file) => void decodeSafetensors(new Uint8Array(await fs.readFile(file)), file),
  },
  {
    // PyTorch state_dicts, zip and legacy (runtime/io/pth.ts): container, allow-listed pickle, storages.
    name: '.pth',
    target: 'weights.pth',
    seeds: () => files(path.join(REPO, 'test/fixtures/pth'), /^(text_encoder|image_heads|dtypes)(_legacy)?\.pth$/),
    tokens: [
      ...PICKLE_TOKENS,
      ...tokens(
        'PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06', 'PK\x06\x06', '../', 'archive/../x',
        'ctorch._utils\n_rebuild_tensor_v2\n', 'ctorch\nFloatStorage\n', 'ctorch\nHalfStorage\n', 'ccollections\nOrderedDict\n',
        'cposix\nsystem\n', 'ctorch.nn.modules.linear\nLinear\n', 'Q', '\x8a\x08\x00\x00\x00\x00\x00\x01\x00\x00',
        '\xff\xff\xff\xff\xff\xff\xff\x7f', '\x00\x00\x00\x00\x00\x00\x10\x00',
      ),
    ],
    read: async (file) => void readPthFile(file),
  },
  {
    name: 'checkpoint manifest',
    target: 'ckpt/manifest.json',
    seeds: async () => [
      text('manifest', JSON.stringify({
        format: 'attnc-checkpoint',
        version: 1,
        name: 'gan-step-10',
        spec: { name: 'tiny', sha256: '0'.repeat(64), file: 'spec.yaml' },
        phase: 'gan',
        progress: { epoch: 1, batch: 2, step: 10, damsmComplete: true },
        seed: 3,
        networks: { 'netG.safetensors': { network: 'generator', weights: 'ema' } },
        optimizers: [{ id: 'g', iterations: 10, lr: 0.0002, params: ['a', 'b'] }],
        metrics: { lossG: 1.5 },
        options: { backend: 'cpu' },
        files: { 'netG.safetensors': { bytes: 128, sha256: 'f'.repeat(64) } },
        generated: null,
      })),
    ],
    tokens: tokens('{', '[', '"', '"files":{"../x":{"bytes":1,"sha256":"a"}},', '1e999', '-1', '"__proto__":', 'null', ','),
    read: async (file) => void readManifest(path.dirname(file)),
  },
  {
    name: 'spec YAML',
    target: 'spec/tiny.yaml',
    setup: spec,
    seeds: async () => [{ name: 'tiny', bytes: new Uint8Array(await fs.readFile(path.join(REPO, 'spec/tiny.yaml'))) }],
    tokens: tokens('{', '[', ': ', '- ', '&a ', '*a', '<<: *a\n', '!!binary ', '\t', '\x00', '\xff', '"\\u0000"', '1e308', '---\n'),
    async read(file) {
      // The spec loader reports diagnostics, not exceptions: an invalid spec must come with located
      // diagnostics, turned here into the AttncError the CLI would print (file:line:col).
      const r = await loadSpec(file);
      if (r.ok) return;
      const d = r.diagnostics.find((x) => x.severity === 'error') ?? r.diagnostics[0];
      if (!d || !(d.line >= 1 && d.col >= 1)) throw new Error(`spec invalid without a located diagnostic: ${JSON.stringify(d)}`);
      throw new AttncError('ATTNC_SPEC_INVALID', `${path.resolve(d.file)}:${d.line}:${d.col}: [${d.code}] ${d.message}`, { path: path.resolve(d.file) });
    },
  },
];
