import { describe, expect, it } from 'vitest';
import { Module } from '../../runtime/nn/module.js';
import { torchShape } from '../../runtime/nn/state.js';
import { Generator } from '../../generated/dmgan/generator.js';
import { createDiscriminators } from '../../generated/dmgan/discriminators.js';
import { PARAMETER_COUNTS } from '../../generated/dmgan/model.js';
import { fixture } from '../runtime/torch-fixtures.js';

// The generated DM-GAN generator holds exactly the official G_NET's state_dict (names, PyTorch
// shapes; test/fixtures/make/families.py checked that list against MinfengZhu/DM-GAN's code).
describe('generated/dmgan', () => {
  it("the generator's state_dict is the official G_NET's: 21,449,042 parameters under the same names and shapes", () => {
    const official = fixture<{ dmgan_G_NET: Array<[string, number[]]> }>('family_keys.json').dmgan_G_NET.filter(([n]) => !n.endsWith('num_batches_tracked'));
    const g = Module.shapeOnly(() => new Generator());
    const ours = g.namedSlotLayouts().map((s): [string, number[]] => [s.name, torchShape(s.shape, s.layout)]);
    const sorted = (k: Array<[string, number[]]>) => [...k].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(sorted(ours)).toEqual(sorted(official));
    expect(g.parameterCount()).toBe(21_449_042);
    expect(PARAMETER_COUNTS.generator).toBe(21_449_042);
  });

  it("the discriminators' state_dicts are the official D_NET64/128/256's (spectral norm): 1,887,218 / 5,174,258 / 18,301,938 parameters", () => {
    const official = fixture<{ keys: Record<string, Array<[string, number[]]>> }>('dmgan_d_keys.json').keys;
    const ds = Module.shapeOnly(() => createDiscriminators());
    expect(ds.map((d) => d.namedSlotLayouts().map((s): [string, number[]] => [s.name, torchShape(s.shape, s.layout)]))).toEqual([official['64'], official['128'], official['256']]);
    expect(ds.map((d) => d.parameterCount())).toEqual([1_887_218, 5_174_258, 18_301_938]);
    expect([PARAMETER_COUNTS.discriminator_64, PARAMETER_COUNTS.discriminator_128, PARAMETER_COUNTS.discriminator_256]).toEqual([1_887_218, 5_174_258, 18_301_938]);
  });
});
