import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPth } from '../../../runtime/nn/weights.js';
import type { PthArchive } from '../../../runtime/io/pth.js';
import { Module } from '../../../runtime/nn/module.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { createImageEncoder } from '../../../generated/attngan2/image-encoder.js';
import { fixture } from './parity-helpers.js';

// Names and shapes of torchvision 0.14's inception_v3 state_dict and of the original CNN_ENCODER's
// (tools/make_inception_keys.py; the real files are ~100 MB): every key maps onto attnc's birds
// image encoder by layer kind, with the rules `attnc import --inception/--image-encoder` use.
const keys = JSON.parse(fs.readFileSync(fixture('inception_v3_keys.json'), 'utf8')) as Record<'inception_v3' | 'image_encoder', Array<[string, number[]]>>;

function archive(list: Array<[string, number[]]>, file: string): PthArchive {
  return {
    file,
    format: 'zip',
    entries: list.map(([name, shape]) => ({ name, shape, dtype: name.endsWith('num_batches_tracked') ? 'int64' : 'float32', read: () => { throw new Error('not decoded in a check'); } })),
  };
}

describe('Inception-v3 weights map onto the birds image encoder', () => {
  const encoder = Module.shapeOnly(() => createImageEncoder());

  it("the original image_encoder.pth (CNN_ENCODER: 473 tensors + BN step counters) maps exactly", () => {
    const plan = checkPth(encoder, archive(keys.image_encoder, 'image_encoder200.pth'));
    expect(plan.entries.size).toBe(473);
    expect(plan.ignored.length).toBe(94);
    expect(plan.missing).toEqual([]);
  });

  it("torchvision's ImageNet file fills the trunk: AuxLogits/fc dropped, only the two heads left", () => {
    const plan = checkPth(encoder, archive(keys.inception_v3, 'inception_v3_google.pth'), {
      dropUnexpected: /^(AuxLogits|fc)\./,
      allowMissing: /^emb_(features|cnn_code)\./,
    });
    expect(plan.allowedMissing.map((m) => m.name)).toEqual(['emb_features.weight', 'emb_cnn_code.weight', 'emb_cnn_code.bias']);
    expect(new Set(plan.dropped.map((k) => k.split('.')[0]))).toEqual(new Set(['AuxLogits', 'fc']));
    expect(plan.entries.size).toBe(470);
  });

  it('without those rules the same file is refused, listing the AuxLogits/fc keys and the missing heads', () => {
    try {
      checkPth(encoder, archive(keys.inception_v3, 'inception_v3_google.pth'));
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(AttncError);
      expect((e as Error).message).toMatch(/missing from inception_v3_google\.pth \(3\):\n  emb_features\.weight \[256, 768, 1, 1\]/);
      expect((e as Error).message).toMatch(/fc\.weight \[1000, 2048\]/);
    }
  });
});
