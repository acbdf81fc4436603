import { describe, expect, it } from 'vitest';
import { Module } from '../../runtime/nn/module.js';
import { torchShape } from '../../runtime/nn/state.js';
import { Generator } from '../../generated/dmgan/generator.js';
import { PARAMETER_COUNTS } from '../../generated/dmgan/model.js';
import { fixture } from '../runtime/families/util.js';

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
});
