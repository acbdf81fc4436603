import { describe, expect, it } from 'vitest';
import type { ModelGraph, NetworkId } from '../../../compiler/lower/graph.js';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { CnnImageEncoder, InceptionImageEncoder } from '../../../runtime/encoders/image.js';
import { RnnTextEncoder } from '../../../runtime/encoders/text.js';
import { PARTS } from '../../../runtime/data/synthbirds/render.js';
import { SYNTH_BIRD_PARTS } from '../../../compiler/lower/lower.js';
import { Module } from '../../../runtime/nn/index.js';
import { Block3x3LeakRelu, EncodeImageBy4Times } from '../../../runtime/discriminators/index.js';
import { buildHandGenerator } from '../../fixtures/oracles/hand-generator.js';
import { graphOf, SHIPPED } from './helpers.js';

const net = (g: ModelGraph, id: NetworkId) => g.networks.find((n) => n.id === id)!;
const shapes = (g: ModelGraph, id: NetworkId) => net(g, id).params.map((p) => [p.name, [...p.shape]]);

describe('parameter counts of the graph (docs/original.md §9)', () => {
  it.each([
    ['attngan2', 'generator', 7_084_592],
    ['attngan2-coco', 'generator', 13_811_456],
    ['attngan2', 'discriminator_64', 6_313_730],
    ['attngan2', 'discriminator_128', 19_424_002],
    ['attngan2', 'discriminator_256', 71_858_946],
    ['attngan2', 'image_encoder', 22_506_720],
    ['attngan2', 'text_encoder', 2_075_320],
    ['attngan2-coco', 'text_encoder', 8_629_420],
    // DM-GAN's D_NET64/128/256 (df 32, spectral_norm): the official counts, weight_u and weight_v included (docs/families.md)
    ['dmgan', 'discriminator_64', 1_887_218],
    ['dmgan', 'discriminator_128', 5_174_258],
    ['dmgan', 'discriminator_256', 18_301_938],
  ] as const)('%s %s = %i', async (spec, id, n) => {
    expect(net(await graphOf(spec), id).paramCount).toBe(n);
  });

  it('image encoder: 721,152 trainable (the two projections), trunk frozen and owned by no phase', async () => {
    const e = net(await graphOf('attngan2'), 'image_encoder');
    expect(e.trainableCount).toBe(721_152);
    expect(e.params.filter((p) => !p.trainable).every((p) => p.phase === null)).toBe(true);
    expect(e.params.length).toBe(3 * 94 + 3); // 94 BasicConv2d (conv + bn γ, β) + 3 projection tensors
  });

  it("DM-GAN's discriminators: weight_u and weight_v counted, trainable by no phase", async () => {
    const g = await graphOf('dmgan');
    expect(g.networks.filter((n) => n.id.startsWith('discriminator_')).map((n) => n.trainableCount)).toEqual([1_878_242, 5_155_810, 18_264_546]);
    const d = net(g, 'discriminator_64');
    const fixed = d.params.filter((p) => !p.trainable);
    expect(fixed.map((p) => p.name.split('.').pop())).toEqual(Array.from({ length: 5 }, () => ['weight_u', 'weight_v']).flat());
    expect(fixed.every((p) => p.phase === null)).toBe(true);
  });

  it('birds generator: 82 tensors with torch shapes of §12.1', async () => {
    const g = net(await graphOf('attngan2'), 'generator');
    // state_dict tensors = parameters + running_mean/var of each BatchNorm (the only 1-D weights).
    const all = g.params.length + 2 * g.params.filter((p) => p.name.endsWith('.weight') && p.shape.length === 1).length;
    expect(g.params.find((p) => p.name === 'h_net1.fc.0.weight')!.torchShape).toEqual([16384, 200]);
    expect(g.params.find((p) => p.name === 'h_net2.residual.1.block.0.weight')!.torchShape).toEqual([128, 64, 3, 3]);
    expect(g.params.find((p) => p.name === 'h_net3.att.conv_context.weight')!.shape).toEqual([1, 1, 256, 32]);
    expect(all).toBe(82);
  });
});

describe('graph and runtime modules agree on every parameter name and shape', () => {
  it('generator vs the hand-composed runtime generator (birds, COCO, AttnDCGAN)', async () => {
    for (const [spec, cfg] of [
      ['attngan2', { gfDim: 32, rNum: 2, stages: 3 }],
      ['attngan2-coco', { gfDim: 48, rNum: 3, stages: 3 }],
      ['attngan1', { gfDim: 32, rNum: 2, stages: 2 }],
      ['attndcgan', { gfDim: 32, rNum: 0, stages: 3, dcgan: true }],
    ] as const) {
      const hand = Module.shapeOnly(() => buildHandGenerator(cfg));
      expect(shapes(await graphOf(spec), 'generator'), spec).toEqual(hand.namedParameterShapes());
    }
  });

  it('discriminators vs runtime DNet', async () => {
    const g = await graphOf('attngan2');
    for (const size of [64, 128, 256]) {
      const d = Module.shapeOnly(() => new DNet({ size, ndf: 64, nef: 256 }));
      expect(shapes(g, `discriminator_${size}`)).toEqual(d.namedParameterShapes());
    }
    const dc = Module.shapeOnly(() => new DNet({ size: 256, ndf: 64, nef: 256, unconditional: false }));
    expect(shapes(await graphOf('attndcgan'), 'discriminator_256')).toEqual(dc.namedParameterShapes());
    const dm = await graphOf('dmgan');
    for (const size of [64, 128, 256]) {
      const d = Module.shapeOnly(() => new DNet({ size, ndf: 32, nef: 256, spectralNorm: true }));
      expect(shapes(dm, `discriminator_${size}`)).toEqual(d.namedParameterShapes());
    }
    // spectral_norm as a list of sizes: only those discriminators are DM-GAN's, the rest AttnGAN's.
    const only128 = await graphOf('dmgan', ['discriminators.spectral_norm=[128]']);
    for (const size of [64, 128, 256]) {
      const d = Module.shapeOnly(() => new DNet({ size, ndf: 32, nef: 256, spectralNorm: size === 128 }));
      expect(shapes(only128, `discriminator_${size}`), `${size}`).toEqual(d.namedParameterShapes());
    }
  });

  it('encoders vs runtime RnnTextEncoder, InceptionImageEncoder, CnnImageEncoder', async () => {
    const birds = await graphOf('attngan2');
    const text = Module.shapeOnly(() => new RnnTextEncoder({ vocabSize: 5450 }));
    expect(shapes(birds, 'text_encoder')).toEqual(text.namedParameterShapes());
    const inception = Module.shapeOnly(() => new InceptionImageEncoder({ nef: 256 }));
    expect(shapes(birds, 'image_encoder')).toEqual(inception.namedParameterShapes());
    const tiny = await graphOf('tiny');
    const cnn = Module.shapeOnly(() => new CnnImageEncoder({ inputSize: 64, nef: 64, channels: [16, 32, 64], globalChannels: 128 }));
    expect(shapes(tiny, 'image_encoder')).toEqual(cnn.namedParameterShapes());
    expect(shapes(tiny, 'text_encoder')[0]).toEqual(['encoder.weight', ['V', 64]]);
    // image_encoder.part_loss: the part head has one logit per part the synthetic birds' masks tell apart.
    const withParts = await graphOf('tiny', ['image_encoder.part_loss.weight=1']);
    const parted = Module.shapeOnly(() => new CnnImageEncoder({ inputSize: 64, nef: 64, channels: [16, 32, 64], globalChannels: 128, parts: PARTS.length }));
    expect(shapes(withParts, 'image_encoder')).toEqual(parted.namedParameterShapes());
    expect(SYNTH_BIRD_PARTS).toBe(PARTS.length);
    // pooling: parts drops the global block; emb_cnn_code reads the parts' pooled regions.
    const pooled = await graphOf('tiny', ['image_encoder.part_loss.weight=1', 'image_encoder.pooling=parts']);
    const pooledRuntime = Module.shapeOnly(() => new CnnImageEncoder({ inputSize: 64, nef: 64, channels: [16, 32, 64], parts: PARTS.length, pooling: 'parts' }));
    expect(shapes(pooled, 'image_encoder')).toEqual(pooledRuntime.namedParameterShapes());
  });

  it('a 16 px discriminator (init at 16 px): the first two convs of the 16× encoder, then 3×3 blocks to 8ndf, in PyTorch key order', async () => {
    const g = await graphOf('tiny', [
      'generator.stages=[{type: init, size: 16, channels_mult: 4}, {type: attention, size: 32, attention: {word_dim: 64}}, {type: attention, size: 64, attention: {word_dim: 64}}]',
      'discriminators.spectral_norm=[16]',
    ]);
    expect(g.networks.filter((n) => n.id.startsWith('discriminator_')).map((n) => n.id)).toEqual(['discriminator_16', 'discriminator_32', 'discriminator_64']);
    const ndf = 8;
    const trunk = new (class extends Module {
      readonly s4 = this.addModule('img_code_s4', new EncodeImageBy4Times({ ndf, spectralNorm: true }));
      readonly b1 = this.addModule('img_code_s4_1', new Block3x3LeakRelu({ inChannels: 2 * ndf, outChannels: 4 * ndf, spectralNorm: true }));
      readonly b2 = this.addModule('img_code_s4_2', new Block3x3LeakRelu({ inChannels: 4 * ndf, outChannels: 8 * ndf, spectralNorm: true }));
    })();
    const d16 = shapes(g, 'discriminator_16');
    expect(d16.filter(([n]) => String(n).startsWith('img_code_'))).toEqual(trunk.namedParameterShapes());
    expect(d16.map(([n]) => n).filter((n) => String(n).startsWith('img_code_s4.'))).toEqual([
      'img_code_s4.0.module.bias', 'img_code_s4.0.module.weight_u', 'img_code_s4.0.module.weight_v', 'img_code_s4.0.module.weight_bar',
      'img_code_s4.2.module.bias', 'img_code_s4.2.module.weight_u', 'img_code_s4.2.module.weight_v', 'img_code_s4.2.module.weight_bar',
    ]);
    // Without spectral norm: AttnGAN's layout, BatchNorm after every conv but the first.
    const plain = await graphOf('tiny', ['generator.stages=[{type: init, size: 16, channels_mult: 4}, {type: attention, size: 32, attention: {word_dim: 64}}, {type: attention, size: 64, attention: {word_dim: 64}}]']);
    expect(shapes(plain, 'discriminator_16').map(([n]) => n).filter((n) => String(n).startsWith('img_code_s4.'))).toEqual([
      'img_code_s4.0.weight', 'img_code_s4.2.weight', 'img_code_s4.3.weight', 'img_code_s4.3.bias',
    ]);
  });

  it.each(SHIPPED)('%s: the generated classes register exactly the graph parameters', async (spec) => {
    const g = await graphOf(spec);
    const mod = (await import(`../../../generated/${spec}/index.ts`)) as {
      Generator: new () => Module;
      createDiscriminators: () => Module[];
      createImageEncoder: () => Module;
    };
    expect(Module.shapeOnly(() => new mod.Generator()).namedParameterShapes()).toEqual(shapes(g, 'generator'));
    const ds = Module.shapeOnly(() => mod.createDiscriminators());
    const dIds = g.networks.filter((n) => n.id.startsWith('discriminator_')).map((n) => n.id);
    expect(ds.map((d) => d.namedParameterShapes())).toEqual(dIds.map((id) => shapes(g, id)));
    expect(Module.shapeOnly(() => mod.createImageEncoder()).namedParameterShapes()).toEqual(shapes(g, 'image_encoder'));
  });
});
