import { describe, expect, it } from 'vitest';
import { Module } from '../../../runtime/nn/module.js';
import { torchShape } from '../../../runtime/nn/state.js';
import { DmganGenerator } from '../../fixtures/oracles/dmgan-generator.js';
import { DfganGenerator, dfganDiscriminator } from '../../fixtures/oracles/dfgan.js';
import { fixture } from '../torch-fixtures.js';

// Names, PyTorch shapes and parameter counts of the official networks at their published configs
// (test/fixtures/make/families.py; its modules are checked there against the official code's keys and counts).
interface Keys {
  counts: Record<string, number>;
  dmgan_G_NET: Array<[string, number[]]>;
  dfgan_NetG: Array<[string, number[]]>;
  dfgan_NetD: Array<[string, number[]]>;
  dfgan_NetC: Array<[string, number[]]>;
}
const fx = fixture<Keys>('family_keys.json');

function torchKeys(m: Module): Array<[string, number[]]> {
  return m.namedSlotLayouts().map((s) => [s.name, torchShape(s.shape, s.layout)]);
}
/** The official state_dicts less BatchNorm's `num_batches_tracked` (attnc's BatchNorm ignores it, as the AttnGAN import does). */
const official = (k: Array<[string, number[]]>) => k.filter(([n]) => !n.endsWith('num_batches_tracked'));
const sorted = (k: Array<[string, number[]]>) => [...k].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('DM-GAN and DF-GAN networks have the official state_dict layouts and parameter counts', () => {
  it('DM-GAN G_NET (birds: gf 64, R_NUM 2, 256 px): 21,449,042 parameters, 119 tensors', () => {
    const g = Module.shapeOnly(() => new DmganGenerator({ gfDim: 64, rNum: 2, stages: 3 }));
    expect(g.parameterCount()).toBe(21_449_042);
    expect(fx.counts.dmgan_G_NET).toBe(21_449_042);
    expect(sorted(torchKeys(g))).toEqual(sorted(official(fx.dmgan_G_NET)));
  });

  it('DF-GAN NetG (nf 32, z 100, sentence 256, 256 px): 9,744,131 parameters', () => {
    const g = Module.shapeOnly(() => new DfganGenerator({ nf: 32, zDim: 100, condDim: 256, size: 256 }));
    expect(g.parameterCount()).toBe(9_744_131);
    expect(torchKeys(g)).toEqual(fx.dfgan_NetG);
  });

  it('DF-GAN NetD + NetC (nf 32, 256 px): 6,619,206 + 295,936 = 6,915,142 parameters', () => {
    const { netD, netC } = Module.shapeOnly(() => dfganDiscriminator({ nf: 32, zDim: 100, condDim: 256, size: 256 }));
    expect(netD.parameterCount()).toBe(6_619_206);
    expect(netC.parameterCount()).toBe(295_936);
    expect(torchKeys(netD)).toEqual(fx.dfgan_NetD);
    expect(torchKeys(netC)).toEqual(fx.dfgan_NetC);
  });
});
