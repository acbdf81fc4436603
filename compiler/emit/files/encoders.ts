/** text-encoder.ts and image-encoder.ts: the runtime encoders with the spec's constants bound. */
import { shapeText, moduleOf, modulesOf } from '../../lower/graph.js';
import { count, doc, fileScope, lines, literal, network, type EmitContext, typeAlias } from '../context.js';
import type { Statement } from '../print.js';

export function emitTextEncoder(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const net = network(ctx, 'text_encoder');
  const e = moduleOf(net, 'encoder', 'embedding').config;
  const r = moduleOf(net, 'rnn', 'rnn').config;
  const RnnTextEncoder = imports.runtime('encoders/text.js', 'RnnTextEncoder');
  const wordMask = imports.runtime('nn/index.js', 'wordMask');
  const words = net.outputs[0]!;
  const sentence = net.outputs[1]!;
  const vocabDoc = ctx.graph.vocabSize === null ? 'the vocabulary size of the dataset' : `${ctx.graph.vocabSize} words for this dataset`;
  return [
    ...imports.declarations(),
    {
      kind: 'function',
      name: 'createTextEncoder',
      isExported: true,
      docs: [
        doc(
          [
            `\`RNN_ENCODER\`: embedding ${e.embeddingDim}, bidirectional ${r.rnn.toUpperCase()} 2×${r.hiddenPerDirection}, dropout ${e.dropout}${r.sentence === 'mean' ? '; the sentence feature is the mean of the word features' : ''}.`,
            `${count(net.paramCount)} parameters${net.symbolicParams ? ` ${net.symbolicParams}` : ''}; \`vocabSize\` is ${vocabDoc}.`,
          ],
          net.origin,
        ),
      ],
      parameters: [{ name: 'vocabSize', type: 'number' }],
      returnType: RnnTextEncoder,
      // The default sentence feature (the original's final states) is left out, so AttnGAN specs print as before.
      statements: lines(`return new ${RnnTextEncoder}({ vocabSize, embeddingDim: ${e.embeddingDim}, hiddenPerDirection: ${r.hiddenPerDirection}, rnn: ${literal(r.rnn)}, dropout: ${e.dropout}${r.sentence === 'last' ? '' : `, sentence: ${literal(r.sentence)}`} });`),
    },
    typeAlias('Captions', 'Encoded captions, as the generator and the losses consume them.', [
      `/** ${shapeText(words.shape)}, zeros at padding. */`,
      `words: ${tf}.Tensor3D;`,
      `/** ${shapeText(sentence.shape)} */`,
      `sentence: ${tf}.Tensor2D;`,
      "/** [B, T], true at padding (the original's `captions == 0`). */",
      `mask: ${tf}.Tensor2D;`,
    ]),
    {
      kind: 'function',
      name: 'encodeCaptions',
      isExported: true,
      docs: [doc(['tokens [B, T] (0 pads), lengths [B] → words, sentence and padding mask.', '`training` turns on the embedding dropout, whose mask `seed` makes reproducible.'], net.origin)],
      parameters: [
        { name: 'encoder', type: RnnTextEncoder },
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
  const [trunk] = modulesOf(net, 'inception_v3');
  const cls = imports.runtime('encoders/image.js', trunk ? 'InceptionImageEncoder' : 'CnnImageEncoder');
  const nef = moduleOf(net, 'emb_features', 'conv1x1').config.outChannels;
  let create: string;
  let what: string;
  if (trunk) {
    const frozen = trunk.config.frozen;
    const batchStats = trunk.config.trunkBatchNorm === 'batch';
    create = `return new ${cls}({ nef: ${nef}, freezeTrunk: ${frozen}, trunkBatchNormFollowsTraining: ${batchStats} });`;
    what =
      `\`CNN_ENCODER\`: ${frozen ? 'frozen' : 'trainable'} Inception-v3 trunk (images resized to ${input.shape[1]}×${input.shape[2]}), 1×1 conv and linear projections to ${nef}. ` +
      (batchStats
        ? "In DAMSM training the trunk's BatchNorm uses batch statistics and its running statistics drift, as the original's `cnn_model.train()`; elsewhere it uses its running statistics."
        : "The trunk's BatchNorm always uses its running statistics (`trunk_batchnorm: running`).");
  } else {
    // [`stem`,] `blocks.<i>`, then `global_block`, in network order.
    const blocks = modulesOf(net, 'cnn_block');
    const channels = blocks.filter((m) => m.id.startsWith('blocks.')).map((m) => m.config.outChannels);
    // No global block with part pooling: the global feature comes from the part-pooled regions.
    const top = blocks.find((m) => m.id === 'global_block')?.config ?? null;
    const stem = blocks.find((m) => m.id === 'stem')?.config.outChannels ?? 0;
    const pooling = top ? (top.pooling ?? 'avg') : 'parts';
    const partHead = modulesOf(net, 'part_head')[0]?.config.parts ?? 0;
    // Options at their defaults are left out, so specs without them print as before.
    const extra = `${stem ? `, stem: ${stem}` : ''}${pooling === 'avg' ? '' : `, pooling: ${literal(pooling)}`}${partHead ? `, parts: ${partHead}` : ''}`;
    create = `return new ${cls}({ inputSize: ${input.shape[1]}, nef: ${nef}, channels: [${channels.join(', ')}]${top ? `, globalChannels: ${top.outChannels}` : ''}${extra} });`;
    what =
      `A small CNN trained from scratch: ${stem ? `a 3×3 stem (${stem} channels), ` : ''}${channels.length} stride-2 blocks from ${input.shape[1]}×${input.shape[2]} to a ${regions.shape[1]}×${regions.shape[2]} region grid, ` +
      `projections to ${nef}${pooling === 'max' ? '; the global feature is the max over the last block' : pooling === 'parts' ? "; the global feature is projected from the region features pooled once per part under the part head's softmax" : ''}` +
      `${partHead ? '; a `part_head` reads which part of the bird each region shows (the DAMSM phase\'s part loss)' : ''}.`;
  }
  return [
    ...imports.declarations(),
    {
      kind: 'function',
      name: 'createImageEncoder',
      isExported: true,
      docs: [
        doc(
          [what, `images ${shapeText(input.shape)} → regions ${shapeText(regions.shape)}, global ${shapeText(global.shape)}.`, `${count(net.paramCount)} parameters, ${count(net.trainableCount)} trainable.`],
          net.origin,
        ),
      ],
      returnType: cls,
      statements: lines(create),
    },
  ];
}
