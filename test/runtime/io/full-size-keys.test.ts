import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPth } from '../../../runtime/nn/weights.js';
import type { PthArchive } from '../../../runtime/io/pth.js';
import { Module } from '../../../runtime/nn/module.js';
import * as attndcgan from '../../../generated/attndcgan/index.js';
import * as attngan2 from '../../../generated/attngan2/index.js';
import * as coco from '../../../generated/attngan2-coco/index.js';
import { fixture } from './parity-helpers.js';

// The original's full-size state_dicts (names and shapes from tools/attngan_reference.py via
// tools/make_pth_keys.py: bird/coco AttnGAN2, bird AttnDCGAN2, their discriminators and text
// encoders) map onto the shipped specs' generated networks exactly: no missing, unexpected or
// mismatched key. Checked shape-only, without the 8–650 MB files.
const keys = JSON.parse(fs.readFileSync(fixture('full_size_keys.json'), 'utf8')) as Record<string, Array<[string, number[]]>>;

const archive = (list: Array<[string, number[]]>, file: string): PthArchive => ({
  file,
  format: 'legacy',
  entries: list.map(([name, shape]) => ({ name, shape, dtype: 'float32', read: () => { throw new Error('shape-only check'); } })),
});

const builders: Record<string, () => Module> = {
  'attngan2/netG': () => new attngan2.Generator(),
  'attngan2-coco/netG': () => new coco.Generator(),
  'attndcgan/netG': () => new attndcgan.Generator(),
  'attngan2/netD0': () => new attngan2.Discriminator64(),
  'attngan2/netD1': () => new attngan2.Discriminator128(),
  'attngan2/netD2': () => new attngan2.Discriminator256(),
  'attngan2-coco/netD2': () => new coco.Discriminator256(),
  'attndcgan/netD0': () => new attndcgan.Discriminator256(),
  'attngan2/text_encoder': () => attngan2.createTextEncoder(5450),
  'attngan2-coco/text_encoder': () => coco.createTextEncoder(27297),
};

describe("the original's full-size state_dicts fit the shipped specs' networks", () => {
  for (const [name, list] of Object.entries(keys)) {
    it(`${name}: ${list.length} keys`, () => {
      const build = builders[name];
      if (!build) throw new Error(`no builder for ${name}`);
      const net = Module.shapeOnly(build);
      const plan = checkPth(net, archive(list, `${name}.pth`)); // throws the listing on any problem
      expect(plan.entries.size + plan.ignored.length).toBe(list.length);
      expect(plan.missing).toEqual([]);
    });
  }
});
