import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DFGAN_NETWORKS, openDfganNetwork, writeDfganCheckpoint } from '../../../runtime/io/dfgan-checkpoint.js';
import { openPth, readPth } from '../../../runtime/io/pth.js';
import { writePth } from '../../../runtime/io/pth-write.js';
import { exportState } from '../../../runtime/nn/state.js';
import { loadPth } from '../../../runtime/nn/weights.js';
import type { Module } from '../../../runtime/nn/module.js';
import { DmganGenerator } from '../../fixtures/oracles/dmgan-generator.js';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { DfganGenerator, dfganDiscriminator } from '../../fixtures/oracles/dfgan.js';
import { expectClose, fixture } from '../torch-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, '..', '..', 'fixtures', 'pth', 'families');
const bytes = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, name)));

/** Every tensor of a written file equals the original's, byte for byte, in the same order (less num_batches_tracked, which attnc does not keep). */
function expectSameTensors(original: ReturnType<typeof readPth>['tensors'], written: ReturnType<typeof readPth>['tensors']): void {
  const kept = original.filter((t) => !t.name.endsWith('num_batches_tracked'));
  expect(written.map((t) => t.name)).toEqual(kept.map((t) => t.name));
  kept.forEach((t, i) => {
    const w = written[i]!;
    expect(w.shape).toEqual(t.shape);
    expect(Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
  });
}

const tensorsOf = (m: Module) => [...exportState(m)].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));

describe('weights in the official DM-GAN and DF-GAN layouts (files written by PyTorch, test/fixtures/make/families.py)', () => {
  it("DM-GAN's netG.pth imports strictly by layer kind and exports back tensor for tensor", () => {
    const g = new DmganGenerator({ gfDim: 4, rNum: 1, stages: 3, textDim: 8, cDim: 4, zDim: 4 });
    const report = loadPth(g, openPth(bytes('dmgan_netG.pth'), 'dmgan_netG.pth'));
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.ignored.length).toBe(1 + 4 + 2 * (2 * 1 + 1)); // num_batches_tracked of each BatchNorm: fc, 4 upBlocks, 2 memory stages × (one ResBlock's 2 + the upBlock)
    const written = readPth(writePth(tensorsOf(g)));
    expectSameTensors(readPth(bytes('dmgan_netG.pth')).tensors, written.tensors);
    g.dispose();
  });

  it("DM-GAN's netD<i>.pth (spectrally normalised D_NET128) imports strictly and exports back tensor for tensor", () => {
    // as `attnc import --discriminator` loads each file (cli/import-weights.ts: loadPth on the stage's D)
    const d = new DNet({ size: 128, ndf: 2, nef: 6, spectralNorm: true });
    const report = loadPth(d, openPth(bytes('dmgan_netD1.pth'), 'dmgan_netD1.pth'));
    expect([report.missing, report.unexpected, report.ignored]).toEqual([[], [], []]);
    expect(report.loaded.filter((n) => /weight_(u|v|bar)$/.test(n)).length).toBe(3 * 7);
    const written = readPth(writePth(tensorsOf(d)));
    expectSameTensors(readPth(bytes('dmgan_netD1.pth')).tensors, written.tensors);
    d.dispose();
  });

  it("DF-GAN's state_epoch_<n>.pth: netG, netD and netC import strictly, run as PyTorch ran them, and export back tensor for tensor", () => {
    const fx = fixture<{ nf: number; Z: number; E: number; size: number; B: number; z: number[]; sentence: number[]; image: number[]; fake: number[]; predReal: number[] }>('dfgan.json');
    const cfg = { nf: fx.nf, zDim: fx.Z, condDim: fx.E, size: fx.size };
    const netG = new DfganGenerator(cfg);
    const { netD, netC } = dfganDiscriminator(cfg);
    const nets = { netG, netD, netC } as Record<(typeof DFGAN_NETWORKS)[number], Module>;
    const file = bytes('dfgan_state_epoch_5.pth');
    for (const n of DFGAN_NETWORKS) {
      const r = loadPth(nets[n], openDfganNetwork(file, n, 'dfgan_state_epoch_5.pth'));
      expect([r.missing, r.unexpected]).toEqual([[], []]);
    }
    tf.tidy(() => {
      const z = tf.tensor2d(fx.z, [fx.B, fx.Z]);
      const s = tf.tensor2d(fx.sentence, [fx.B, fx.E]);
      expectClose(netG.apply(z, s).dataSync(), fx.fake, 1e-5);
      expectClose(netC.apply(netD.apply(tf.tensor4d(fx.image, [fx.B, fx.size, fx.size, 3])), s).dataSync(), fx.predReal, 1e-5);
    });
    const out = writeDfganCheckpoint({ netG: tensorsOf(netG), netD: tensorsOf(netD), netC: tensorsOf(netC) }, 5);
    for (const n of DFGAN_NETWORKS) {
      const read = (b: Uint8Array) => openDfganNetwork(b, n).entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype, data: e.read() }));
      expectSameTensors(read(file), read(out));
    }
    [netG, netD, netC].forEach((m) => m.dispose());
  });

  it('a key path that is not in the checkpoint is a clear error', () => {
    expect(() => openPth(bytes('dfgan_state_epoch_5.pth'), 'x.pth', { at: ['model', 'netE'] })).toThrow(/no key "netE" under model \(keys: netG, netD, netC\)/);
    expect(() => openPth(bytes('dfgan_state_epoch_5.pth'), 'x.pth')).toThrow(/not tensors/);
  });
});
