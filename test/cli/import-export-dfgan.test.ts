import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { readPthFile } from '../../runtime/io/pth.js';
import { writePth } from '../../runtime/io/pth-write.js';
import { writePickle } from '../../runtime/io/pickle.js';
import { readCheckpointTensors, readManifest, resolveCheckpoint } from '../../runtime/io/checkpoint.js';
import { exportState } from '../../runtime/nn/state.js';
import { loadCheckpointModel } from '../../runtime/model/load.js';
import { createModel, disposeModel } from '../fixtures/pth/families/generated-dfgan/index.js';
import { PTH_FIXTURES } from '../runtime/io/parity-helpers.js';
import { capture } from './capture.js';

// `attnc import` / `attnc export` of DF-GAN's `state_epoch_<n>.pth` ({model: {netG, netD, netC},
// optimizers, epoch}, written by test/fixtures/make/families.py as DF-GAN's save_models does) into
// the micro DF-GAN spec beside it, and back.
const FAMILIES = path.join(PTH_FIXTURES, 'families');
const STATE = path.join(FAMILIES, 'dfgan_state_epoch_5.pth');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-dfgan-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A text encoder .pth of the micro spec (the DF-GAN fixture has none: DF-GAN loads AttnGAN's DAMSM encoder). */
function textEncoderPth(): string {
  const model = createModel({ vocabSize: 9, seed: 3 });
  const file = path.join(tmp, 'text_encoder200.pth');
  fs.writeFileSync(file, writePth([...exportState(model.textEncoder)].map(([name, t]) => ({ name, shape: t.shape, data: t.data }))));
  disposeModel(model);
  return file;
}

/** A captions.pickle of the AttnGAN layout with the micro vocabulary's 9 words. */
function captionsPickle(): string {
  const ix = ['<end>', ...Array.from({ length: 8 }, (_, i) => `w${i}`)];
  const file = path.join(tmp, 'captions.pickle');
  fs.writeFileSync(file, writePickle([[[1, 2]], [[3]], new Map(ix.map((w, i) => [i, w])), new Map(ix.map((w, i) => [w, i]))]));
  return file;
}

const original = (network: 'netG' | 'netD' | 'netC') => readPthFile(STATE, { at: ['model', network] }).tensors;

describe('attnc import / export of a DF-GAN state_epoch_<n>.pth', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('imports netG, netD and netC strictly and exports them back byte for byte in the same layout', async () => {
    const out = path.join(tmp, 'run');
    let io = capture();
    const code = await main(['import', '--spec', path.join(FAMILIES, 'dfgan-micro.yaml'), '--generated', path.join(FAMILIES, 'generated-dfgan'), '--generator', STATE, '--text-encoder', textEncoderPth(), '--captions', captionsPickle(), '--out', out]);
    vi.restoreAllMocks();
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/generator +\S+dfgan_state_epoch_5\.pth \(zip format\): \d+ tensors/);
    expect(io.out()).toMatch(/discriminator \(netD\)/);
    expect(io.out()).toMatch(/discriminator \(netC\)/);
    expect(io.out()).toMatch(/is a DF-GAN checkpoint/);
    expect(io.out()).not.toMatch(/attention mask/);

    const dir = resolveCheckpoint(out);
    const manifest = readManifest(dir);
    expect(manifest.networks['netG.safetensors']).toEqual({ network: 'generator', weights: 'live', epoch: 5 });
    expect(manifest.options.attention_mask).toBeUndefined();
    const g = readCheckpointTensors(dir, manifest, 'netG.safetensors');
    expect([...g.keys()]).toEqual(original('netG').map((t) => t.name));
    const d = readCheckpointTensors(dir, manifest, 'netD0.safetensors');
    expect([...d.keys()]).toEqual([...original('netD').map((t) => `netD.${t.name}`), ...original('netC').map((t) => `netC.${t.name}`)]);

    // sample/eval load it
    const loaded = await loadCheckpointModel(out);
    expect(loaded.model.generator.parameterCount()).toBe(7_511);
    loaded.gen.disposeModel(loaded.model);

    const exported = path.join(tmp, 'exported');
    io = capture();
    expect(await main(['export', out, '--format', 'pth', '--out', exported])).toBe(0);
    vi.restoreAllMocks();
    expect(io.out()).toMatch(/state_epoch_5\.pth \(DF-GAN's \{model: \{netG, netD, netC\}, epoch\}/);
    expect(fs.readdirSync(exported).sort()).toEqual(['state_epoch_5.pth', 'text_encoder200.pth']);
    const back = path.join(exported, 'state_epoch_5.pth');
    for (const n of ['netG', 'netD', 'netC'] as const) {
      const want = original(n);
      const got = readPthFile(back, { at: ['model', n] }).tensors;
      expect(got.map((t) => [t.name, t.shape]), n).toEqual(want.map((t) => [t.name, t.shape]));
      for (let i = 0; i < want.length; i++) expect(Buffer.from(got[i]!.data.buffer, got[i]!.data.byteOffset, got[i]!.data.byteLength).equals(Buffer.from(want[i]!.data.buffer, want[i]!.data.byteOffset, want[i]!.data.byteLength)), want[i]!.name).toBe(true);
    }
  });

  it('a DF-GAN checkpoint into an AttnGAN spec: a clear error naming the file, not a stack trace', async () => {
    const io = capture();
    const code = await main(['import', '--spec', path.join(PTH_FIXTURES, 'parity.yaml'), '--generated', path.join(PTH_FIXTURES, 'generated'), '--generator', STATE, '--text-encoder', path.join(PTH_FIXTURES, 'text_encoder.pth'), '--out', path.join(tmp, 'bad')]);
    vi.restoreAllMocks();
    expect(code).not.toBe(0);
    expect(io.err()).toMatch(/dfgan_state_epoch_5\.pth/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });
});
