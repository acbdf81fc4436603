/** sample.ts and index.ts: sampling from captions, and `createModel` building every network. */
import { StructureKind, VariableDeclarationKind } from 'ts-morph';
import { shapeText } from '../../lower/graph.js';
import { count, discriminators, doc, fileScope, lines, network, type EmitContext, typeAlias } from '../context.js';
import type { Statement } from '../print.js';

export function emitSample(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const gen = network(ctx, 'generator');
  const Model = imports.localType('index.js', 'Model');
  const GeneratorOutputs = imports.localType('generator.js', 'GeneratorOutputs');
  const encodeCaptions = imports.local('text-encoder.js', 'encodeCaptions');
  const Rng = imports.runtimeType('nn/index.js', 'Rng');
  const heads = gen.modules.filter((m) => m.kind === 'image_head');
  const z = gen.inputs[0]!;
  return [
    ...imports.declarations(),
    typeAlias('SampleOptions', undefined, [ `/** Noise ${shapeText(z.shape)}; drawn from N(0, 1) when omitted. */`, `z?: ${tf}.Tensor2D;`, `/** Conditioning-augmentation ε: a tensor, a seeded Rng, or omitted. */`, `noise?: ${tf}.Tensor2D | ${Rng};`]),
    {
      kind: StructureKind.Function,
      name: 'sample',
      isExported: true,
      docs: [
        doc(
          [
            'Captions → images and word-attention maps, every network in eval mode (BatchNorm running statistics, no dropout).',
            `tokens [B, T], lengths [B] → images ${heads.map((h) => shapeText(h.outputs[0]!.shape)).join(', ')}; attn per attention stage [B, h, w, T].`,
          ],
          gen.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: `Pick<${Model}, 'textEncoder' | 'generator'>` },
        { name: 'tokens', type: `${tf}.Tensor2D` },
        { name: 'lengths', type: 'readonly number[]' },
        { name: 'options', type: 'SampleOptions', initializer: '{}' },
      ],
      returnType: `Pick<${GeneratorOutputs}, 'images' | 'attn'>`,
      statements: lines(
        `return ${tf}.tidy(() => {`,
        `  const captions = ${encodeCaptions}(model.textEncoder, tokens, lengths, false);`,
        `  const z = options.z ?? ${tf}.randomNormal([tokens.shape[0], ${z.shape[1]}]);`,
        '  const out = model.generator.apply({ z, sentence: captions.sentence, words: captions.words, mask: captions.mask, training: false, noise: options.noise });',
        '  return { images: out.images, attn: out.attn };',
        '});',
      ),
    },
  ];
}

export function emitIndex(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const g = ctx.graph;
  const ds = discriminators(ctx);
  const text = network(ctx, 'text_encoder');
  const image = network(ctx, 'image_encoder');
  const gen = network(ctx, 'generator');
  const Rng = imports.runtime('nn/index.js', 'Rng');
  const initLikeAttnGAN = imports.runtime('nn/index.js', 'initLikeAttnGAN');
  const Module = imports.runtime('nn/index.js', 'Module');
  const RnnTextEncoder = imports.runtimeType('encoders/text.js', 'RnnTextEncoder');
  const createTextEncoder = imports.local('text-encoder.js', 'createTextEncoder');
  const createImageEncoder = imports.local('image-encoder.js', 'createImageEncoder');
  const inception = image.modules.some((m) => m.kind === 'inception_v3');
  const ImageEncoderType = imports.runtimeType('encoders/image.js', inception ? 'InceptionImageEncoder' : 'CnnImageEncoder');
  const Generator = imports.local('generator.js', 'Generator');
  const createDiscriminators = imports.local('discriminators.js', 'createDiscriminators');
  const Discriminators = imports.localType('discriminators.js', 'Discriminators');
  const counts = [text, image, gen, ...ds].map((n) => `  ${n.id}: ${n.paramCount},${n.symbolicParams ? ` // ${n.symbolicParams}` : ''}`);
  const reexports: Statement[] = [
    lines(
      ...['text-encoder', 'image-encoder', 'generator', 'discriminators', 'losses', 'train-damsm', 'train-gan', 'sample', 'plan'].map((f) => `export * from './${f}.js';`),
    ),
  ];
  const vocabParam =
    g.vocabSize === null
      ? ["/** Vocabulary size of the dataset (the text encoder's embedding rows). */", 'vocabSize: number;']
      : [`/** Vocabulary size; ${g.vocabSize} for this dataset. */`, 'vocabSize?: number;'];
  return [
    ...imports.declarations(),
    ...reexports,
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [doc(g.description ? `The spec this model was generated from: ${g.description.replace(/\.$/, '')}.` : 'The spec this model was generated from.', { kind: 'file', file: g.specFile, line: 1, pointer: '' })],
      declarations: [{ name: 'SPEC', initializer: `{ name: '${g.name}', file: '${g.specFile}', sha256: '${g.specHash}' } as const` }],
    },
    lines(
      `/** Parameters per network (BatchNorm running statistics excluded): ${[text, image, gen, ...ds].map((n) => `${n.id} ${count(n.paramCount)}`).join(', ')}. */`,
      'export const PARAMETER_COUNTS = {',
      ...counts,
      '} as const;',
    ),
    typeAlias('Model', 'Every network of the model.', [ `textEncoder: ${RnnTextEncoder};`, `imageEncoder: ${ImageEncoderType};`, `generator: ${Generator};`, `discriminators: ${Discriminators};`]),
    typeAlias('ModelOptions', undefined, [...vocabParam, '/** Seed of every initial weight (default 0): the same seed gives the same weights on every backend. */', 'seed?: number;']),
    {
      kind: StructureKind.Function,
      name: 'createModel',
      isExported: true,
      docs: [
        doc(
          [
            'Builds every network with seeded initial weights: the encoders with their own init (PyTorch defaults, U(±0.1) embeddings),',
            'G and the discriminators as AttnGAN\'s `weights_init` (orthogonal conv/linear weights, BatchNorm γ ~ N(1, 0.02)).',
          ],
          gen.origin,
        ),
      ],
      parameters: [{ name: 'options', type: 'ModelOptions', initializer: g.vocabSize === null ? undefined : '{}' }],
      returnType: 'Model',
      statements: lines(
        `const rng = new ${Rng}(\`attnc:${g.name}:\${options.seed ?? 0}\`);`,
        '// Built with zero tensors: every tensor is drawn from `rng` right after.',
        `const textEncoder = ${Module}.zeroInit(() => ${createTextEncoder}(options.vocabSize${g.vocabSize === null ? '' : ` ?? ${g.vocabSize}`}));`,
        "textEncoder.resetParameters(rng.fork('text_encoder'));",
        `const imageEncoder = ${Module}.zeroInit(() => ${createImageEncoder}());`,
        "imageEncoder.resetParameters(rng.fork('image_encoder'));",
        `const generator = ${Module}.zeroInit(() => new ${Generator}());`,
        `${initLikeAttnGAN}(generator, rng.fork('generator'));`,
        `const discriminators = ${Module}.zeroInit(() => ${createDiscriminators}());`,
        `for (const d of discriminators) ${initLikeAttnGAN}(d, rng.fork(\`discriminator_\${d.size}\`));`,
        'return { textEncoder, imageEncoder, generator, discriminators };',
      ),
    },
    {
      kind: StructureKind.Function,
      name: 'disposeModel',
      isExported: true,
      parameters: [{ name: 'model', type: 'Model' }],
      returnType: 'void',
      statements: lines('model.textEncoder.dispose();', 'model.imageEncoder.dispose();', 'model.generator.dispose();', 'for (const d of model.discriminators) d.dispose();'),
    },
  ];
}
