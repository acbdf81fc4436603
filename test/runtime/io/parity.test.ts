import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyCheckpointOptions, setAttentionMaskMode } from '../../../runtime/model/checkpoint-options.js';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { sentLoss, wordsLoss } from '../../../runtime/losses/damsm.js';
import type { Module } from '../../../runtime/nn/module.js';
import { exportState } from '../../../runtime/nn/state.js';
import { encodeCaptions } from '../../fixtures/pth/generated/index.js';
import { compare, det, detImage, dispose, load, nchw, P, readReference, type Compared, type Nets } from './parity-helpers.js';

// The proof that imported PyTorch weights compute what the original computes: the networks of
// tools/attngan_reference.py (the original's module code at the sizes of test/fixtures/pth/parity.yaml)
// with random weights, saved by PyTorch in both formats, are read by the .pth reader, loaded by
// layer kind into attnc's networks (the generated parity model, D_NET128/256 as runtime DNet, the
// CNN_ENCODER heads), and every reference output is matched.
//
// Tolerance: max |attnc − PyTorch| ≤ TOL · scale, scale = max |reference| of that output
// (float32 on both sides; different summation orders). TOL per output group:
const TOL: Array<[RegExp, number]> = [
  [/^te\.|^heads\./, 1e-5], // text encoder words/sentence, CNN_ENCODER heads
  [/^damsm\./, 1e-5], // DAMSM word/sentence losses and word-region attention maps
  [/^g\.eval\./, 1e-4], // generator, BN with running stats: both stage images, attention maps, mu, logvar
  [/^g\.train\./, 1e-4], // generator, BN with batch stats (B = 3)
  [/^d\d+\./, 1e-4], // D_NET64/128/256 codes and both logits heads, eval and train
  [/^after\./, 1e-5], // BN running mean/var after the train-mode forward
];
const tolFor = (name: string) => TOL.find(([re]) => re.test(name))![1];

/** Runs the fixture script's sequence (eval, then train) and compares every output. */
function runAndCompare(n: Nets): Compared[] {
  const results: Compared[] = [];
  const { model, d128, d256, heads } = n;
  const tokens = tf.tensor2d(P.tokens.flat(), [P.B, P.T], 'int32');
  const caps = encodeCaptions(model.textEncoder, tokens, P.lengths, false);
  const eps = det([P.B, P.c], 4) as tf.Tensor2D;
  const z = det([P.B, P.z], 3) as tf.Tensor2D;
  try {
    const ev = readReference('eval');
    const tr = readReference('train');
    const cmp = (name: string, got: tf.Tensor, ref = ev) => {
      results.push(compare(name, got, ref.get(name))); // `got` is disposed by the caller's tidy
    };
    tf.tidy(() => {
      cmp('te.words', tf.transpose(caps.words, [0, 2, 1]));
      cmp('te.sentence', caps.sentence);
      const regions = heads.emb_features.apply(detImage(P.B, P.local, P.region, P.region, 1));
      const code = heads.emb_cnn_code.apply(det([P.B, P.global], 2) as tf.Tensor2D);
      cmp('heads.regions', nchw(regions));
      cmp('heads.code', code);
      const w = wordsLoss(regions, caps.words, P.lengths, P.classIds, P.gamma);
      const s = sentLoss(code, caps.sentence, P.classIds, P.gamma);
      cmp('damsm.words_loss', tf.stack([w.loss0, w.loss1]));
      cmp('damsm.sent_loss', tf.stack([s.loss0, s.loss1]));
      w.attnMaps.forEach((m, i) => cmp(`damsm.attn${i}`, m));
    });
    for (const mode of ['eval', 'train'] as const) {
      const ref = mode === 'eval' ? ev : tr;
      const training = mode === 'train';
      tf.tidy(() => {
        const g = model.generator.apply({ z, sentence: caps.sentence, words: caps.words, mask: caps.mask, training, noise: eps });
        g.images.forEach((im, s) => cmp(`g.${mode}.img${s + 1}`, nchw(im), ref));
        g.attn.forEach((a, s) => cmp(`g.${mode}.att${s + 1}`, nchw(a), ref));
        cmp(`g.${mode}.mu`, g.mu, ref);
        cmp(`g.${mode}.logvar`, g.logvar, ref);
        const refImage64 = tf.transpose(tf.tensor(ref.get(`g.${mode}.img2`)!.data, [P.B, 3, 64, 64]), [0, 2, 3, 1]) as tf.Tensor4D;
        const ds: Array<[number, { code(x: tf.Tensor4D, t: boolean): tf.Tensor4D } | DNet, tf.Tensor4D]> = [
          [64, model.discriminators[1], refImage64],
          [128, d128, detImage(P.B, 3, 128, 128, 5 + 128)],
          [256, d256, detImage(P.B, 3, 256, 256, 5 + 256)],
        ];
        for (const [size, d, x] of ds) {
          const h = d instanceof DNet ? d.apply(x, training) : d.code(x, training);
          const dd = d as unknown as DNet;
          cmp(`d${size}.${mode}.code`, nchw(h), ref);
          cmp(`d${size}.${mode}.uncond`, dd.UNCOND_DNET!.apply(h), ref);
          cmp(`d${size}.${mode}.cond`, dd.COND_DNET!.apply(h, caps.sentence, training), ref);
        }
      });
    }
    const after: Array<[string, Module]> = [['netG', model.generator], ['netD64', model.discriminators[1]], ['netD128', d128], ['netD256', d256]];
    for (const [name, m] of after) {
      for (const [k, t] of exportState(m)) {
        if (!/running_(mean|var)$/.test(k)) continue;
        tf.tidy(() => cmp(`after.${name}.${k}`, tf.tensor(t.data, t.shape), tr));
      }
    }
  } finally {
    tf.dispose([tokens, caps.words, caps.sentence, caps.mask, eps, z]);
  }
  return results;
}

describe('imported PyTorch weights reproduce the original modules (tools/make_pth_fixtures.py)', () => {
  for (const format of ['zip', 'legacy'] as const) {
    it(`${format} format: every reference output within tolerance, BN in eval and train mode`, () => {
      const before = tf.memory().numTensors;
      const nets = load(format);
      const results = runAndCompare(nets);
      dispose(nets);
      expect(tf.memory().numTensors).toBe(before);
      const names = new Set(results.map((r) => r.name));
      const expected = [...readReference('eval').keys(), ...readReference('train').keys()];
      expect([...names].sort()).toEqual(expected.sort()); // every reference output was compared
      const bad = results.filter((r) => !(r.maxAbs <= tolFor(r.name) * r.scale));
      expect(bad.map((r) => `${r.name}: ${r.maxAbs.toExponential(2)} > ${tolFor(r.name)}·${r.scale.toPrecision(3)}`)).toEqual([]);
      if (process.env.ATTNC_PARITY_REPORT) {
        for (const r of results) console.log(`${r.name.padEnd(44)} ${r.maxAbs.toExponential(2)} / scale ${r.scale.toPrecision(3)}`);
      }
    });
  }

  it('the mask tiling matters at B > 1: with the correct mask the attention maps differ', () => {
    const nets = load('zip');
    try {
      setAttentionMaskMode(nets.model.generator, 'correct');
      const r = runAndCompare(nets).find((x) => x.name === 'g.eval.att1')!;
      expect(r.maxAbs).toBeGreaterThan(1e-2);
    } finally {
      dispose(nets);
    }
  });

  it('a checkpoint\'s options.attention_mask switches the mode; an unknown value is refused', () => {
    const nets = load('zip');
    try {
      setAttentionMaskMode(nets.model.generator, 'correct');
      expect(applyCheckpointOptions(nets.model.generator, { attention_mask: 'original_bug' })).toEqual([
        "attention mask: original_bug (the original's mask tiling, GlobalAttention.py:105) in 1 attention stage",
      ]);
      const r = runAndCompare(nets).find((x) => x.name === 'g.eval.att1')!;
      expect(r.maxAbs).toBeLessThanOrEqual(1e-4 * r.scale);
      expect(() => applyCheckpointOptions(nets.model.generator, { attention_mask: 'sometimes' })).toThrow(/not correct or original_bug/);
    } finally {
      dispose(nets);
    }
  });
});
