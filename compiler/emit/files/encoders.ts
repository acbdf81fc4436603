/** text-encoder.ts and image-encoder.ts: the runtime encoders with the spec's constants bound. */
import { StructureKind } from 'ts-morph';
import { count, doc, fileScope, lines, network, sh, type EmitContext, typeAlias } from '../context.js';
import type { Statement } from '../print.js';

export function emitTextEncoder(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const net = network(ctx, 'text_encoder');
  const enc = net.modules.find((m) => m.id === 'encoder')!;
  const rnn = net.modules.find((m) => m.id === 'rnn')!;
  const TextEncoder = imports.runtime('encoders/text.js', 'TextEncoder');
  const wordMask = imports.runtime('losses/index.js', 'wordMask');
  const e = enc.config as { embeddingDim: number; dropout: number };
  const r = rnn.config as { rnn: string; hiddenPerDirection: number };
  const words = net.outputs[0]!;
  const sentence = net.outputs[1]!;
  const vocabDoc = ctx.graph.vocabSize === null ? 'the vocabulary size of the dataset' : `${ctx.graph.vocabSize} words for this dataset`;
  return [
    ...imports.declarations(),
    {
      kind: StructureKind.Function,
      name: 'createTextEncoder',
      isExported: true,
      docs: [
        doc(
          [
            `\`RNN_ENCODER\`: embedding ${e.embeddingDim}, bidirectional ${r.rnn.toUpperCase()} 2×${r.hiddenPerDirection}, dropout ${e.dropout}.`,
            `${count(net.paramCount)} parameters${net.symbolicParams ? ` ${net.symbolicParams}` : ''}; \`vocabSize\` is ${vocabDoc}.`,
          ],
          net.origin,
        ),
      ],
      parameters: [{ name: 'vocabSize', type: 'number' }],
      returnType: TextEncoder,
      statements: lines(`return new ${TextEncoder}({ vocabSize, embeddingDim: ${e.embeddingDim}, hiddenPerDirection: ${r.hiddenPerDirection}, rnn: '${r.rnn}', dropout: ${e.dropout} });`),
    },
    typeAlias('Captions', 'Encoded captions, as the generator and the losses consume them.', [
        `/** ${sh(words.shape)}, zeros at padding. */`,
        `words: ${tf}.Tensor3D;`,
        `/** ${sh(sentence.shape)} */`,
        `sentence: ${tf}.Tensor2D;`,
        "  /** [B, T], true at padding (the original's `captions == 0`). */",
        `mask: ${tf}.Tensor2D;`]),
    {
      kind: StructureKind.Function,
      name: 'encodeCaptions',
      isExported: true,
      docs: [doc(['tokens [B, T] (0 pads), lengths [B] → words, sentence and padding mask.', '`training` turns on the embedding dropout, whose mask `seed` makes reproducible.'], net.origin)],
      parameters: [
        { name: 'encoder', type: TextEncoder },
        { name: 'tokens', type: `${tf}.Tensor2D` },
        { name: 'lengths', type: 'readonly number[]' },
        { name: 'training', type: 'boolean', initializer: 'false' },
        { name: 'seed', type: 'number', hasQuestionToken: true },
      ],
      returnType: 'Captions',
      statements: lines(
        `return ${tf}.tidy(() => {`,
        '  const { words, sentence } = encoder.apply(tokens, lengths, training, seed);',
        `  const mask = ${tf}.equal(${wordMask}(lengths, tokens.shape[1]), 0) as ${tf}.Tensor2D;`,
        '  return { words, sentence, mask };',
        '});',
      ),
    },
  ];
}

export function emitImageEncoder(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const net = network(ctx, 'image_encoder');
  const regions = net.outputs[0]!;
  const global = net.outputs[1]!;
  const input = net.inputs[0]!;
  const inception = net.modules.some((m) => m.kind === 'inception_v3');
  const cls = imports.runtime('encoders/image.js', inception ? 'InceptionImageEncoder' : 'CnnImageEncoder');
  const nef = (net.modules.find((m) => m.id === 'emb_features')!.config as { nef: number }).nef;
  let create: string;
  let what: string;
  if (inception) {
    const trunk = net.modules.find((m) => m.id === '')!.config as { trunkBatchNorm: 'batch' | 'running' };
    const batchStats = trunk.trunkBatchNorm === 'batch';
    create = `return new ${cls}({ nef: ${nef}, trunkBatchNormFollowsTraining: ${batchStats} });`;
    what =
      `\`CNN_ENCODER\`: frozen Inception-v3 trunk (images resized to ${input.shape[1]}×${input.shape[2]}), 1×1 conv and linear projections to ${nef}. ` +
      (batchStats
        ? "In DAMSM training the trunk's BatchNorm uses batch statistics and its running statistics drift, as the original's `cnn_model.train()`; elsewhere it uses its running statistics."
        : "The trunk's BatchNorm always uses its running statistics (`trunk_batchnorm: running`).");
  } else {
    const first = net.modules[0]!.config as { channels: string };
    const gb = net.modules.find((m) => m.id === 'global_block')!.config as { outChannels: number };
    create = `return new ${cls}({ inputSize: ${input.shape[1]}, nef: ${nef}, channels: [${first.channels.split(',').join(', ')}], globalChannels: ${gb.outChannels} });`;
    what = `A small CNN trained from scratch: ${first.channels.split(',').length} stride-2 blocks from ${input.shape[1]}×${input.shape[2]} to a ${regions.shape[1]}×${regions.shape[2]} region grid, projections to ${nef}.`;
  }
  return [
    ...imports.declarations(),
    {
      kind: StructureKind.Function,
      name: 'createImageEncoder',
      isExported: true,
      docs: [
        doc(
          [what, `images ${sh(input.shape)} → regions ${sh(regions.shape)}, global ${sh(global.shape)}.`, `${count(net.paramCount)} parameters, ${count(net.trainableCount)} trainable.`],
          net.origin,
        ),
      ],
      returnType: cls,
      statements: lines(create),
    },
  ];
}
