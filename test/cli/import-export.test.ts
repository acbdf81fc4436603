import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { writePickle } from '../../runtime/io/pickle.js';
import { Vocabulary } from '../../runtime/data/vocab.js';
import { readPthFile } from '../../runtime/io/pth.js';
import { writePth } from '../../runtime/io/pth-write.js';
import { decodeSafetensors } from '../../runtime/io/safetensors.js';
import { readCheckpointJson, readCheckpointTensors, readManifest, resolveCheckpoint, writeCheckpoint } from '../../runtime/io/checkpoint.js';
import { networkFiles } from '../../runtime/model/networks.js';
import { createModel, disposeModel } from '../fixtures/pth/generated/index.js';
import { fixture } from '../runtime/io/parity-helpers.js';
import { WordAttention } from '../../runtime/blocks/word-attention.js';
import { exportState } from '../../runtime/nn/state.js';
import { loadCheckpointModel } from '../../runtime/model/load.js';
import { capture } from './capture.js';

// `attnc import` / `attnc export` in process, on the parity fixtures (PyTorch-written .pth files of
// the micro spec test/fixtures/pth/parity.yaml, whose generated code is test/fixtures/pth/generated).

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-import-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = ['import', '--spec', fixture('parity.yaml'), '--generated', fixture('generated')];

/** A captions.pickle of the AttnGAN layout with the parity vocabulary's 12 words. */
function captionsPickle(words: number): string {
  const ix = ['<end>', ...Array.from({ length: words - 1 }, (_, i) => `w${i}`)];
  const file = path.join(tmp, `captions${words}.pickle`);
  fs.writeFileSync(file, writePickle([[[1, 2]], [[3]], new Map(ix.map((w, i) => [i, w])), new Map(ix.map((w, i) => [w, i]))]));
  return file;
}

/** A .pth of a fixture with keys renamed or dropped. */
function rewritten(name: string, f: (key: string) => string | null): string {
  const src = readPthFile(fixture(name));
  const tensors = src.tensors.flatMap((t) => {
    const k = f(t.name);
    return k === null ? [] : [{ name: k, shape: t.shape, data: t.data }];
  });
  const file = path.join(tmp, `rewritten-${tensors.length}-${name}`);
  fs.writeFileSync(file, writePth(tensors));
  return file;
}

describe('attnc import', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('writes a checkpoint with the exact tensors, the vocabulary and the original mask mode, and says so', async () => {
    const out = path.join(tmp, 'run');
    const io = capture();
    const before = tf.memory().numTensors;
    const code = await main([...base, '--generator', fixture('netG_legacy.pth'), '--text-encoder', fixture('text_encoder.pth'), '--captions', captionsPickle(12), '--out', out]);
    vi.restoreAllMocks();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(io.out()).toMatch(/generator +\S+netG_legacy\.pth \(legacy format\): 50 tensors; 9 num_batches_tracked ignored/);
    expect(io.out()).toMatch(/attention mask: original_bug in 1 attention stage/);
    const dir = resolveCheckpoint(out);
    const manifest = readManifest(dir);
    expect(manifest.phase).toBe('import');
    expect(manifest.options.attention_mask).toBe('original_bug');
    expect(manifest.networks['netG.safetensors']).toEqual({ network: 'generator', weights: 'ema' });
    expect(Vocabulary.fromJSON(readCheckpointJson(dir, manifest, 'vocab.json')).size).toBe(12);
    // PyTorch layout under the original names: identical to what PyTorch saved.
    for (const [file, pth] of [['netG.safetensors', 'netG.pth'], ['text_encoder.safetensors', 'text_encoder.pth']] as const) {
      const state = readCheckpointTensors(dir, manifest, file);
      const original = readPthFile(fixture(pth)).tensors.filter((t) => !t.name.endsWith('num_batches_tracked'));
      expect([...state.keys()]).toEqual(original.map((t) => t.name));
      for (const t of original) expect(state.get(t.name)!.data).toEqual(t.data);
    }
  });

  it('the checkpoint loads with loadCheckpointModel (what sample/eval use): weights, vocabulary, original mask', async () => {
    const out = path.join(tmp, 'run');
    if (!fs.existsSync(out)) throw new Error('runs after the first import test');
    const loaded = await loadCheckpointModel(out);
    try {
      expect(loaded.vocab.size).toBe(12);
      expect(loaded.ema).toBe(true);
      const masks = loaded.model.generator.namedModules().filter(([, m]) => m instanceof WordAttention).map(([, m]) => (m as WordAttention).maskMode);
      expect(masks).toEqual(['original_bug']);
      const g = new Map(exportState(loaded.model.generator));
      for (const t of readPthFile(fixture('netG.pth')).tensors) if (!t.name.endsWith('num_batches_tracked')) expect(g.get(t.name)!.data).toEqual(t.data);
    } finally {
      loaded.gen.disposeModel(loaded.model);
    }
  });

  it("imports the authors' kind of file: GPU-saved (torch.cuda.FloatStorage, cuda:0), PyTorch 0.3 / Python 2 and 1.x zip", async () => {
    for (const form of ['cuda_py2', 'cuda'] as const) {
      const out = path.join(tmp, `gpu-${form}`);
      const io = capture();
      const code = await main([...base, '--generator', fixture(`netG_${form}.pth`), '--text-encoder', fixture(`text_encoder_${form}.pth`), '--out', out]);
      vi.restoreAllMocks();
      expect(io.err(), form).toBe('');
      expect(code, form).toBe(0);
      expect(io.out()).toMatch(new RegExp(`generator +\\S+netG_${form}\\.pth \\((legacy|zip) format\\): 50 tensors`));
      const dir = resolveCheckpoint(out);
      const manifest = readManifest(dir);
      for (const [file, pth] of [['netG.safetensors', 'netG.pth'], ['text_encoder.safetensors', 'text_encoder.pth']] as const) {
        const state = readCheckpointTensors(dir, manifest, file);
        const original = readPthFile(fixture(pth)).tensors.filter((t) => !t.name.endsWith('num_batches_tracked'));
        expect([...state.keys()]).toEqual(original.map((t) => t.name));
        for (const t of original) expect(state.get(t.name)!.data).toEqual(t.data);
      }
    }
  });

  it('--discriminator, once per stage: netD0/netD1 land in the checkpoint (resume reads them); each network keeps its own epoch on export', async () => {
    // The original's file names: netG_epoch_600.pth beside netD0.pth, netD1.pth; DAMSM text_encoder200.pth.
    const names = fs.mkdtempSync(path.join(tmp, 'original-'));
    fs.copyFileSync(fixture('netG_legacy.pth'), path.join(names, 'netG_epoch_600.pth'));
    fs.copyFileSync(fixture('text_encoder.pth'), path.join(names, 'text_encoder200.pth'));
    // D0 of the parity model (32 px) has no PyTorch fixture: a seeded one written as a .pth; D1 (64 px) is D_NET64 from PyTorch.
    const model = createModel({ vocabSize: 12, seed: 5 });
    const d0 = [...exportState(model.discriminators[0])];
    disposeModel(model);
    fs.writeFileSync(path.join(names, 'netD0.pth'), writePth(d0.map(([name, t]) => ({ name, shape: t.shape, data: t.data }))));
    fs.copyFileSync(fixture('netD64_legacy.pth'), path.join(names, 'netD1.pth'));
    const out = path.join(tmp, 'with-d');
    const io = capture();
    const code = await main([
      ...base, '--generator', path.join(names, 'netG_epoch_600.pth'), '--text-encoder', path.join(names, 'text_encoder200.pth'),
      '--discriminator', path.join(names, 'netD0.pth'), '--discriminator', path.join(names, 'netD1.pth'), '--out', out,
    ]);
    vi.restoreAllMocks();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/discriminator 1 +\S+netD1\.pth \(legacy format\): 25 tensors/);
    const dir = resolveCheckpoint(out);
    const manifest = readManifest(dir);
    // Resumes at the next epoch, as the original's trainer does with TRAIN.NET_G; each file keeps its own epoch.
    expect(manifest.progress.epoch).toBe(601);
    expect(manifest.networks['netG.safetensors']).toEqual({ network: 'generator', weights: 'ema', epoch: 600 });
    expect(manifest.networks['netD0.safetensors']).toEqual({ network: 'discriminator_0', weights: 'live', epoch: 600 });
    expect(manifest.networks['text_encoder.safetensors']).toEqual({ network: 'text_encoder', weights: 'live', epoch: 200 });
    const d1 = readCheckpointTensors(dir, manifest, 'netD1.safetensors');
    const want = readPthFile(fixture('netD64.pth')).tensors.filter((t) => !t.name.endsWith('num_batches_tracked'));
    expect([...d1.keys()]).toEqual(want.map((t) => t.name));
    for (const t of want) expect(d1.get(t.name)!.data).toEqual(t.data);
    expect(readCheckpointTensors(dir, manifest, 'netD0.safetensors').get(d0[0]![0])!.data).toEqual(d0[0]![1].data);

    const exported = path.join(tmp, 'with-d-export');
    capture();
    expect(await main(['export', out, '--out', exported])).toBe(0);
    vi.restoreAllMocks();
    expect(fs.readdirSync(exported).sort()).toEqual(['netD0.pth', 'netD1.pth', 'netG_epoch_600.pth', 'text_encoder200.pth']);
  });

  it('--discriminator given for fewer stages than the spec has: a usage error saying how many (exit 2)', async () => {
    const io = capture();
    const code = await main([...base, '--generator', fixture('netG.pth'), '--text-encoder', fixture('text_encoder.pth'), '--discriminator', fixture('netD64.pth'), '--out', path.join(tmp, 'one-d')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(io.err()).toContain('1 --discriminator file given; parity has 2 discriminators');
    expect(io.err()).toContain('--discriminator netD0.pth --discriminator netD1.pth');
  });

  it('is strict: wrong network → every missing and unexpected key with shapes, exit 1, nothing written', async () => {
    const out = path.join(tmp, 'strict');
    const io = capture();
    const code = await main([...base, '--generator', fixture('netD64.pth'), '--text-encoder', fixture('text_encoder.pth'), '--out', out]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toMatch(/netD64\.pth does not fit the model/);
    expect(io.err()).toMatch(/missing from \S+netD64\.pth \(50\):\n  ca_net\.fc\.weight \[32, 16\]/);
    expect(io.err()).toMatch(/not in the model \(25\):\n  img_code_s16\.0\.weight \[2, 3, 4, 4\]/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('lists shape mismatches with both shapes', async () => {
    // netG.pth with ca_net.fc.weight transposed ([16, 32]) and img_net2's head left out.
    const bad = path.join(tmp, 'mismatch.pth');
    const src = readPthFile(fixture('netG.pth'))
      .tensors.filter((t) => t.name !== 'img_net2.img.0.weight')
      .map((t) => ({ name: t.name, shape: t.name === 'ca_net.fc.weight' ? [16, 32] : t.shape, data: t.data }));
    fs.writeFileSync(bad, writePth(src));
    const io = capture();
    const code = await main([...base, '--generator', bad, '--text-encoder', fixture('text_encoder.pth'), '--out', path.join(tmp, 'mm')]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toMatch(/ca_net\.fc\.weight: the model has \[32, 16\], \S+mismatch\.pth has \[16, 32\]/);
    expect(io.err()).toMatch(/missing from \S+ \(1\):\n  img_net2\.img\.0\.weight \[3, 4, 3, 3\]/);
  });

  it('--partial allows missing keys and lists them; DataParallel "module." prefixes are stripped', async () => {
    const file = rewritten('netG.pth', (k) => (k.startsWith('img_net2.') ? null : `module.${k}`));
    const out = path.join(tmp, 'partial');
    const io = capture();
    const code = await main([...base, '--generator', file, '--text-encoder', fixture('text_encoder_legacy.pth'), '--partial', '--out', out]);
    vi.restoreAllMocks();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/DataParallel "module\." prefix stripped/);
    expect(io.out()).toMatch(/no --captions: the checkpoint has no vocab\.json/);
    expect(io.out()).toMatch(/1 keys not in the file keep their initial values \(--partial\):\n +img_net2\.img\.0\.weight \[3, 4, 3, 3\]/);
    expect(readManifest(resolveCheckpoint(out)).options.partial).toBe('true');
  });

  it('refuses a captions.pickle whose vocabulary does not fit the text encoder', async () => {
    const io = capture();
    const code = await main([...base, '--generator', fixture('netG.pth'), '--text-encoder', fixture('text_encoder.pth'), '--captions', captionsPickle(9), '--out', path.join(tmp, 'vocab')]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toMatch(/captions9\.pickle has 9 words but \S+text_encoder\.pth embeds 12/);
  });

  it('--generator naming a directory or /dev/zero: an I/O error naming it (exit 2), not an internal error or a hang', async () => {
    for (const [file, why] of [[tmp, 'is a directory'], ['/dev/zero', 'is not a regular file (a device, pipe or socket)']] as const) {
      const io = capture();
      const code = await main([...base, '--generator', file, '--text-encoder', fixture('text_encoder.pth'), '--out', path.join(tmp, 'dir')]);
      vi.restoreAllMocks();
      expect(code, file).toBe(2);
      expect(io.err()).toContain(`error[ATTNC_IO_READ]: ${file}: weights file ${why}`);
      expect(io.err()).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('refuses a hostile .pth with the reader\'s message', async () => {
    const io = capture();
    const code = await main([...base, '--generator', fixture('malicious/os_system.pth'), '--text-encoder', fixture('text_encoder.pth'), '--out', path.join(tmp, 'evil')]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err()).toMatch(/refusing global posix\.system at byte \d+/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});

describe('attnc export', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('writes the original file names in .pth (re-read identical) and .safetensors', async () => {
    const run = path.join(tmp, 'run'); // from the first import test
    if (!fs.existsSync(run)) {
      capture();
      await main([...base, '--generator', fixture('netG_legacy.pth'), '--text-encoder', fixture('text_encoder.pth'), '--out', run]);
      vi.restoreAllMocks();
    }
    for (const format of ['pth', 'safetensors'] as const) {
      const out = path.join(tmp, `export-${format}`);
      const io = capture();
      const code = await main(['export', run, '--format', format, '--out', out]);
      vi.restoreAllMocks();
      expect(code).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual([`netG_epoch_0.${format}`, `text_encoder0.${format}`]);
      expect(io.out()).toMatch(/attention_mask: original_bug/);
      const g =
        format === 'pth'
          ? new Map(readPthFile(path.join(out, 'netG_epoch_0.pth')).tensors.map((t) => [t.name, t.data]))
          : new Map([...decodeSafetensors(fs.readFileSync(path.join(out, 'netG_epoch_0.safetensors')), 'x').tensors].map(([k, t]) => [k, t.data]));
      const original = readPthFile(fixture('netG.pth')).tensors.filter((t) => !t.name.endsWith('num_batches_tracked'));
      expect([...g.keys()]).toEqual(original.map((t) => t.name));
      for (const t of original) expect(g.get(t.name)).toEqual(t.data);
    }
  });

  it('a training checkpoint: every network under its original name, G live skipped', async () => {
    const model = createModel({ vocabSize: 12, seed: 3 });
    try {
      const files = Object.fromEntries(networkFiles(model).map(({ file, module }) => [file, exportState(module)]));
      const ckpt = writeCheckpoint(path.join(tmp, 'trained', 'checkpoints'), 'gan-000007', {
        spec: { name: 'parity', sha256: '0'.repeat(64), file: 'test/fixtures/pth/parity.yaml' },
        generated: null,
        phase: 'gan',
        progress: { epoch: 7, batch: 0, step: 70, damsmComplete: true },
        seed: 3,
        networks: {
          ...Object.fromEntries(networkFiles(model).map(({ file, network }) => [file, { network, weights: network === 'generator' ? ('ema' as const) : ('live' as const) }])),
          'netG_live.safetensors': { network: 'generator', weights: 'live' },
        },
        optimizers: [],
        metrics: {},
        options: {},
        wallTime: 1,
        tensors: { ...files, 'netG_live.safetensors': files['netG.safetensors']! },
        json: {},
      });
      const out = path.join(tmp, 'export-trained');
      const io = capture();
      expect(await main(['export', ckpt, '--out', out])).toBe(0);
      vi.restoreAllMocks();
      expect(fs.readdirSync(out).sort()).toEqual(['image_encoder7.pth', 'netD0.pth', 'netD1.pth', 'netG_epoch_7.pth', 'text_encoder7.pth']);
      expect(io.out()).toMatch(/netG_live\.safetensors: skipped/);
      const d1 = readPthFile(path.join(out, 'netD1.pth')).tensors;
      const want = [...exportState(model.discriminators[1])];
      expect(d1.map((t) => t.name)).toEqual(want.map(([n]) => n));
      d1.forEach((t, i) => expect(t.data).toEqual(want[i]![1].data));
    } finally {
      disposeModel(model);
    }
  });

  it('--format must be pth, safetensors or web (usage error, exit 2)', async () => {
    const io = capture();
    expect(await main(['export', tmp, '--format', 'onnx', '--out', path.join(tmp, 'x')])).toBe(2);
    vi.restoreAllMocks();
    expect(io.err()).toMatch(/--format must be pth, safetensors or web, not "onnx"/);
  });
});
