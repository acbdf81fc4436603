import { describe, expect, it } from 'vitest';
import type { EmitContext } from '../../../compiler/emit/context.js';
import { EMITTERS, emitModel } from '../../../compiler/emit/emit.js';
import { header } from '../../../compiler/emit/header.js';
import { ImportTable } from '../../../compiler/emit/imports.js';
import { printSourceFile } from '../../../compiler/emit/print.js';
import { lower } from '../../../compiler/lower/lower.js';
import { graphOf, specInput } from '../lower/helpers.js';

async function emitted(spec: string, file: string): Promise<string> {
  const g = await graphOf(spec);
  const ctx: EmitContext = { graph: g, runtimeRoot: 'attnc/runtime' };
  const emit = EMITTERS.find(([f]) => f === file)![1];
  return printSourceFile(header(g.specFile, g.specHash), emit(ctx));
}

// Table tests: for each emitter, what a spec must put into its file (and what it must not).
const TABLE: Array<[spec: string, file: string, contains: string[], absent?: string[]]> = [
  ['attngan2', 'generator.ts', [
    'export class InitStage1 extends Module',
    "new Linear({ inFeatures: 200, outFeatures: 16384, bias: false })",
    'export class AttentionStage2 extends Module',
    "new WordAttention({ channels: 32, wordDim: 256, maskMode: 'correct' })",
    'readonly res1 = new ResBlock({ channels: 64 }); // [B, 64, 64, 64]',
    '@generated from spec/attngan2.yaml:11 (/generator/stages/1)',
    'The generator (`G_NET`): 3 stages, 3 image heads. 7,084,592 parameters.',
    'images: [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];',
  ]],
  ['attngan2-coco', 'generator.ts', ['new ResBlock({ channels: 96 })', 'readonly res2', "new Linear({ inFeatures: 200, outFeatures: 24576, bias: false })", '13,811,456 parameters'], ['readonly res3']],
  ['attndcgan', 'generator.ts', ["readonly img_net = this.addModule('img_net'", 'images: [tf.Tensor4D];'], ['img_net1', 'readonly res0', "addModule('residual'"]],
  ['tiny', 'generator.ts', ['then 3 upBlocks to 32×32×8', "new WordAttention({ channels: 8, wordDim: 64, maskMode: 'correct' })"], ['upsample4']],
  ['attngan2', 'discriminators.ts', ['export class Discriminator256 extends Module', "this.addModule('img_code_s64_2', new Block3x3LeakRelu({ inChannels: 1024, outChannels: 512 }))", 'export type Discriminators = [Discriminator64, Discriminator128, Discriminator256];']],
  ['attndcgan', 'discriminators.ts', ['export type Discriminators = [Discriminator256];'], ['UNCOND_DNET']],
  ['tiny', 'discriminators.ts', ["new EncodeImageBy8Times({ ndf: 8 })", "EncodeImageBy8Times, UncondLogits } from 'attnc/runtime/discriminators/index.js'"]],
  ['attngan2', 'text-encoder.ts', ["new RnnTextEncoder({ vocabSize, embeddingDim: 300, hiddenPerDirection: 128, rnn: 'lstm', dropout: 0.5 })", '5450 words for this dataset', "\n  /** [B, T], true at padding"], ['    /** [B, T]']],
  ['tiny', 'text-encoder.ts', ['hiddenPerDirection: 32', 'the vocabulary size of the dataset']],
  ['attngan2', 'image-encoder.ts', ['return new InceptionImageEncoder({ nef: 256, freezeTrunk: true, trunkBatchNormFollowsTraining: true });', 'frozen Inception-v3 trunk', '22,506,720 parameters, 721,152 trainable', 'as the original\'s `cnn_model.train()`']],
  ['tiny', 'image-encoder.ts', ['return new CnnImageEncoder({ inputSize: 64, nef: 64, channels: [16, 32, 64], globalChannels: 128 });']],
  ['attngan2', 'losses.ts', [
    'gamma1: 4, gamma2: 5, gamma3: 10, paperNormalisation: false',
    '), 5) as tf.Scalar; // λ = 5',
    "const kl = klLoss(out.mu, out.logvar, { reduction: 'mean' });",
    'wordsLoss(regions, captions.words, lengths, classIds, {',
    'realUncond: d.UNCOND_DNET.apply(realCode),',
    'stageOutputs(discriminators[2], out.images[2], captions.sentence), // 256 px',
    'const { regions, global } = imageEncoder.apply(out.images[2], false);',
  ]],
  ['attngan2-coco', 'losses.ts', ['), 50) as tf.Scalar; // λ = 50'], ['const ids', ', 1) as tf.Scalar']],
  ['tiny', 'losses.ts', ['), 5) as tf.Scalar; // λ = 5', 'DAMSM on the 64 px image']],
  ['attngan2', 'discriminators.ts', ['return this.img_code_s16.apply(image, training); // [B, 4, 4, 512]'], ['const h =']],
  ['attndcgan', 'losses.ts', ['stageOutputs(discriminators[0], out.images[0], captions.sentence), // 256 px', 'return { fakeCond: d.COND_DNET.apply(code, sentence, true) };'], ['realUncond']],
  ['tiny', 'train-damsm.ts', ['lr *= 0.9', 'clip: { maxNorm: 0.25, variables: model.textEncoder.trainableParameters() }', '    lr: damsmLearningRate(epoch),\n    beta1: 0.5,\n    beta2: 0.999,\n', '): Adam {']],
  ['attngan2', 'train-gan.ts', ['export function discriminatorStep', 'export function generatorStep', 'new ParameterEma(model.generator, 0.999)',
    'if (beforeLoss) untaped(() => beforeLoss(out.images));',
    'discriminators = discriminatorStep(model, optimizers, batch, captions, noise, fakes);',
    'images[2]!, captions.sentence)',
    'optimizeStep(optimizers.discriminators[2], model.discriminators[2]',
    'discriminators: [Adam, Adam, Adam];',
    '    generator: adam({\n      lr: 0.0002,\n      beta1: 0.5,\n      beta2: 0.999,\n      epsilon: 1e-8,\n    }),',
    'export function ganStep(model: Model, optimizers: GanOptimizers, batch: GanBatch, noise: Noise, ema: ParameterEma | null = null)',
  ], ['drawNoise', 'Rng', 'randomNormal', 'discriminators[0]!']],
  ['tiny', 'sample.ts', ['export function sample(', 'training: false', 'noise: Noise)', 'z: noise.z', 'noise: noise.eps'], ['randomNormal']],
  ['attngan2', 'model.ts', ['generator: 7084592,', "export const SPEC = { name: 'attngan2', file: 'spec/attngan2.yaml'", 'createTextEncoder(options.vocabSize ?? 5450)', "initLikeAttnGAN(generator, rng.fork('generator'))"]],
  ['tiny', 'model.ts', ['vocabSize: number;', 'text_encoder: 25088, // plus encoder.weight [V, 64]']],
  ['tiny', 'index.ts', ["export * from './model.js';", 'export const model = {', '  step: ganStep,', '} satisfies GeneratedModel<Model, GanOptimizers>;']],
];

describe('emitters (table)', () => {
  it.each(TABLE)('%s → %s', async (spec, file, contains, absent = []) => {
    const text = await emitted(spec, file);
    for (const c of contains) expect(text).toContain(c);
    for (const a of absent) expect(text).not.toContain(a);
  });

  it('λ = 1 writes the DAMSM term without a multiplication', async () => {
    const r = lower(await specInput('tiny', ['losses[1].lambda=1']));
    if (!r.ok) throw new Error('lowering failed');
    const emit = EMITTERS.find(([f]) => f === 'losses.ts')![1];
    const text = printSourceFile(header(r.graph.specFile, r.graph.specHash), emit({ graph: r.graph, runtimeRoot: '../../runtime' }));
    expect(text).toContain('const damsm = tf.addN([d.words0, d.words1, d.sentence0, d.sentence1]) as tf.Scalar; // λ = 1');
    expect(text).not.toContain(', 1) as tf.Scalar');
  });

  it('image_encoder.trunk_batchnorm: running keeps the trunk on running statistics', async () => {
    const r = lower(await specInput('attngan2', ['image_encoder.trunk_batchnorm=running']));
    if (!r.ok) throw new Error('lowering failed');
    const emit = EMITTERS.find(([f]) => f === 'image-encoder.ts')![1];
    const text = printSourceFile(header(r.graph.specFile, r.graph.specHash), emit({ graph: r.graph, runtimeRoot: '../../runtime' }));
    expect(text).toContain('return new InceptionImageEncoder({ nef: 256, freezeTrunk: true, trunkBatchNormFollowsTraining: false });');
    expect(text).toContain('`trunk_batchnorm: running`');
  });

  it('every file starts with the @generated header and the spec hash, and has no absolute path or timestamp', async () => {
    const g = await graphOf('attngan2');
    const files = emitModel(g, (await specInput('attngan2')).spec);
    for (const [name, text] of files.entries()) {
      if (name.endsWith('.ts')) {
        expect(text.startsWith(`// @generated by attnc from spec/attngan2.yaml — DO NOT EDIT.\n// spec-sha256: ${g.specHash}\n`)).toBe(true);
      }
      expect(text).not.toMatch(/\/work\/|\/home\/|\/tmp\/|\\\\/);
      expect(text).not.toMatch(/\b20\d\d-\d\d-\d\dT/);
      expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
      expect(text).not.toContain('\r');
    }
  });

  it('emission is deterministic (same graph → same bytes)', async () => {
    const input = await specInput('tiny');
    const a = emitModel(await graphOf('tiny'), input.spec).entries();
    const b = emitModel(await graphOf('tiny'), input.spec).entries();
    expect(b).toEqual(a);
  });

  it('escapes spec text wherever it lands: string literals, doc comments (a description with */ type-checks)', async () => {
    const nasty = "ends the comment */ with 'quotes', a back\\slash and a line\nbreak";
    const r = lower(await specInput('tiny', [`description=${JSON.stringify(nasty)}`]));
    if (!r.ok) throw new Error('lowering failed');
    const files = emitModel(r.graph, {});
    const model = files.get('model.ts')!;
    expect(model).toContain("ends the comment *\\/ with 'quotes'");
    expect(model).not.toMatch(/ends the comment \*\//);
    const { typecheckFiles } = await import('../../../compiler/emit/typecheck.js');
    const path = await import('node:path');
    const { ROOT } = await import('../lower/helpers.js');
    // Checked in memory at a folder of this (ES module) package; nothing is written.
    const checked = typecheckFiles(files, path.join(ROOT, 'generated', '.escape-test'), ROOT);
    expect(checked.messages).toEqual([]);
  }, 60_000);

  it('writes every literal through one escaper', async () => {
    const { literal } = await import('../../../compiler/emit/context.js');
    expect(literal("it's a \\ path\n\u2028")).toBe("'it\\'s a \\\\ path\\n\\u2028'");
    expect(literal({ lr: 0.0002, 'a-b': [1, 2], nested: { x: null } })).toBe("{\n  lr: 0.0002,\n  'a-b': [1, 2],\n  nested: {\n    x: null,\n  },\n}");
    expect(() => literal(Number.NaN)).toThrow(/compiler bug/);
  });

  it('a one-stage change shows up as that class and its uses', async () => {
    const one = await emitted('attngan1', 'generator.ts');
    const two = await emitted('attngan2', 'generator.ts');
    expect(two).toContain('export class AttentionStage3');
    expect(one).not.toContain('AttentionStage3');
  });
});

describe('import table and printer', () => {
  it('sorts modules (runtime incl. its tfjs, then local) and names, type-only imports separate', () => {
    const t = new ImportTable('attnc/runtime');
    t.local('generator.js', 'Generator');
    t.runtime('nn/index.js', 'Module');
    t.runtime('blocks/index.js', 'glu');
    t.runtime('blocks/index.js', 'UpBlock');
    t.runtimeType('nn/index.js', 'Rng');
    t.runtime('losses/index.js', 'discriminatorLoss', 'ganDiscriminatorLoss');
    t.tf();
    const text = printSourceFile('// h\n', t.declarations());
    expect(text).toBe(
      [
        '// h',
        '',
        "import { UpBlock, glu } from 'attnc/runtime/blocks/index.js';",
        "import { discriminatorLoss as ganDiscriminatorLoss } from 'attnc/runtime/losses/index.js';",
        "import { Module } from 'attnc/runtime/nn/index.js';",
        "import type { Rng } from 'attnc/runtime/nn/index.js';",
        "import * as tf from 'attnc/runtime/tf.js';",
        "import { Generator } from './generator.js';",
        '',
      ].join('\n'),
    );
  });
});
