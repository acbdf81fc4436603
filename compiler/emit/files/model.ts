/**
 * sample.ts, model.ts and index.ts: sampling from captions; `createModel` building every network;
 * and the `model` object that hands all of it to the runtime through its typed contract.
 */
import { moduleOf, shapeText } from '../../lower/graph.js';
import { count, discriminators, doc, fileScope, generatorArgs, hasConditioningAugmentation, isFusionGenerator, lines, literal, network, raw, type EmitContext, typeAlias } from '../context.js';
import type { Statement } from '../print.js';
import { generatorDamsmTerm } from './losses.js';

export function emitSample(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const gen = network(ctx, 'generator');
  const Model = imports.localType('model.js', 'Model');
  const GeneratorOutputs = imports.localType('generator.js', 'GeneratorOutputs');
  const encodeCaptions = imports.local('text-encoder.js', 'encodeCaptions');
  const Noise = imports.runtimeType('model/noise.js', 'Noise');
  const heads = gen.modules.filter((m) => m.kind === 'image_head' || m.kind === 'rgb_head');
  const z = gen.inputs[0]!;
  const ca = hasConditioningAugmentation(gen) ? moduleOf(gen, 'ca_net', 'cond_augment') : null;
  return [
    ...imports.declarations(),
    {
      kind: 'function',
      name: 'sample',
      isExported: true,
      docs: [
        doc(
          [
            'Captions → images and word-attention maps, every network in eval mode (BatchNorm running statistics, no dropout).',
            `tokens [B, T], lengths [B] → images ${heads.map((h) => shapeText(h.outputs[0]!.shape)).join(', ')}; attn per attention stage [B, h, w, T].`,
            ca
              ? `\`noise\`: z ${shapeText(z.shape)} and the conditioning-augmentation ε ${shapeText(['B', ca.config.cDim])}, from runtime/model/noise.ts.`
              : `\`noise\`: z ${shapeText(z.shape)} from runtime/model/noise.ts (truncated there when the spec samples with truncation); no ε.`,
          ],
          gen.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: `Pick<${Model}, 'textEncoder' | 'generator'>` },
        { name: 'tokens', type: `${tf}.Tensor2D` },
        { name: 'lengths', type: 'readonly number[]' },
        { name: 'noise', type: Noise },
      ],
      returnType: `Pick<${GeneratorOutputs}, 'images' | 'attn'>`,
      statements: lines(
        `return ${tf}.tidy(() => {`,
        `  const captions = ${encodeCaptions}(model.textEncoder, tokens, lengths, false);`,
        `  const out = model.generator.apply(${generatorArgs(ctx, false)});`,
        '  return { images: out.images, attn: out.attn };',
        '});',
      ),
    },
  ];
}

export function emitModelFile(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const g = ctx.graph;
  const ds = discriminators(ctx);
  const text = network(ctx, 'text_encoder');
  const image = network(ctx, 'image_encoder');
  const gen = network(ctx, 'generator');
  const Rng = imports.runtime('nn/index.js', 'Rng');
  const pytorchInit = g.phases.find((p) => p.id === 'gan')?.init === 'pytorch';
  const fusion = isFusionGenerator(gen);
  const initLikeAttnGAN = pytorchInit ? '' : imports.runtime('nn/index.js', 'initLikeAttnGAN');
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
  const vocabParam =
    g.vocabSize === null
      ? ["/** Vocabulary size of the dataset (the text encoder's embedding rows). */", 'vocabSize: number;']
      : [`/** Vocabulary size; ${g.vocabSize} for this dataset. */`, 'vocabSize?: number;'];
  return [
    ...imports.declarations(),
    {
      kind: 'const',
      name: 'SPEC',
      isExported: true,
      docs: [doc(g.description ? `The spec this model was generated from: ${g.description.replace(/\.$/, '')}.` : 'The spec this model was generated from.', { kind: 'file', file: g.specFile, line: 1, pointer: '' })],
      initializer: `{ name: ${literal(g.name)}, file: ${literal(g.specFile)}, sha256: ${literal(g.specHash)} } as const`,
    },
    raw(
      `/** Parameters per network (BatchNorm running statistics excluded): ${[text, image, gen, ...ds].map((n) => `${n.id} ${count(n.paramCount)}`).join(', ')}. */`,
      'export const PARAMETER_COUNTS = {',
      ...counts,
      '} as const;',
    ),
    typeAlias('Model', 'Every network of the model.', [ `textEncoder: ${RnnTextEncoder};`, `imageEncoder: ${ImageEncoderType};`, `generator: ${Generator};`, `discriminators: ${Discriminators};`]),
    typeAlias('ModelOptions', undefined, [...vocabParam, '/** Seed of every initial weight (default 0): the same seed gives the same weights on every backend. */', 'seed?: number;']),
    {
      kind: 'function',
      name: 'createModel',
      isExported: true,
      docs: [
        doc(
          [
            'Builds every network with seeded initial weights: the encoders with their own init (PyTorch defaults, U(±0.1) embeddings),',
            pytorchInit
              ? `G and the discriminators with PyTorch's default layer init, as DF-GAN (which calls no init function)${fusion ? "; G's Affine layers then start at the identity" : ''}.`
              : 'G and the discriminators as AttnGAN\'s `weights_init` (orthogonal conv/linear weights, BatchNorm γ ~ N(1, 0.02)).',
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
        ...(pytorchInit
          ? [
              "generator.resetParameters(rng.fork('generator'));",
              fusion ? 'generator.resetToIdentity(); // Affine._initialize: γ = 1, β = 0 whatever the draws' : undefined,
              `const discriminators = ${Module}.zeroInit(() => ${createDiscriminators}());`,
              'for (const d of discriminators) d.resetParameters(rng.fork(`discriminator_${d.size}`));',
            ]
          : [
              `${initLikeAttnGAN}(generator, rng.fork('generator'));`,
              fusion ? 'generator.resetToIdentity(); // Affine._initialize: γ = 1, β = 0 whatever the draws' : undefined,
              `const discriminators = ${Module}.zeroInit(() => ${createDiscriminators}());`,
              `for (const d of discriminators) ${initLikeAttnGAN}(d, rng.fork(\`discriminator_\${d.size}\`));`,
            ]),
        'return { textEncoder, imageEncoder, generator, discriminators };',
      ),
    },
    {
      kind: 'function',
      name: 'disposeModel',
      isExported: true,
      parameters: [{ name: 'model', type: 'Model' }],
      returnType: 'void',
      statements: lines('model.textEncoder.dispose();', 'model.imageEncoder.dispose();', 'model.generator.dispose();', 'for (const d of model.discriminators) d.dispose();'),
    },
  ];
}

/** The files index.ts re-exports, in order. */
const REEXPORTED = ['model', 'text-encoder', 'image-encoder', 'generator', 'discriminators', 'losses', 'train-damsm', 'train-gan', 'sample', 'plan'];

export function emitIndex(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const GeneratedModel = imports.runtimeType('model/contract.js', 'GeneratedModel');
  const local = (file: string, name: string) => imports.local(`${file}.js`, name);
  const Model = imports.localType('model.js', 'Model');
  const GanOptimizers = imports.localType('train-gan.js', 'GanOptimizers');
  const members = [
    `SPEC: ${local('model', 'SPEC')},`,
    `plan: ${local('plan', 'plan')},`,
    `createModel: ${local('model', 'createModel')},`,
    `disposeModel: ${local('model', 'disposeModel')},`,
    `sample: ${local('sample', 'sample')},`,
    'networks: {',
    `  textEncoder: ${local('text-encoder', 'createTextEncoder')},`,
    `  imageEncoder: ${local('image-encoder', 'createImageEncoder')},`,
    `  generator: () => new ${local('generator', 'Generator')}(),`,
    `  discriminators: ${local('discriminators', 'createDiscriminators')},`,
    '},',
    'damsm: {',
    `  learningRate: ${local('train-damsm', 'damsmLearningRate')},`,
    `  createOptimizer: ${local('train-damsm', 'createDamsmOptimizer')},`,
    `  step: ${local('train-damsm', 'damsmStep')},`,
    '},',
    'gan: {',
    `  createOptimizers: ${local('train-gan', 'createGanOptimizers')},`,
    `  createEma: ${local('train-gan', 'createGeneratorEma')},`,
    ...(generatorDamsmTerm(ctx.graph)?.negativeQueue ? [`  createNegativeQueue: ${local('train-gan', 'createNegativeQueue')},`] : []),
    `  step: ${local('train-gan', 'ganStep')},`,
    '},',
  ];
  return [
    ...imports.declarations(),
    raw(...REEXPORTED.map((f) => `export * from './${f}.js';`)),
    raw(
      '/**',
      ' * The model as the runtime takes it (runtime/model/contract.ts): `attnc train`, `sample` and `eval`',
      ' * call it through this object; `satisfies` makes the compile\'s type check prove that it fits.',
      ' */',
      'export const model = {',
      ...members.map((m) => `  ${m}`),
      `} satisfies ${GeneratedModel}<${Model}, ${GanOptimizers}>;`,
    ),
  ];
}
