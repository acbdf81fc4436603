/** train-damsm.ts and train-gan.ts: one optimisation step per phase, with the spec's optimizers. */
import { shapeText, type OptimizerNode, type Phase } from '../../lower/graph.js';
import { concrete, discriminators, doc, fileScope, generatorArgs, lines, literal, network, type EmitContext, typeAlias } from '../context.js';
import type { Statement } from '../print.js';
import { generatorDamsmTerm, imageIndex, lossTerms } from './losses.js';

/** Adam's settings as an object literal, one per line (a changed lr is a one-line diff). */
const adamArgs = (o: OptimizerNode, indent: string) => literal({ lr: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon }, indent);

function phase(ctx: EmitContext, id: 'damsm' | 'gan'): Phase {
  return ctx.graph.phases.find((p) => p.id === id)!;
}

export function emitTrainDamsm(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const p = phase(ctx, 'damsm');
  const { damsm } = lossTerms(ctx.graph);
  const opt = p.optimizers[0]!.optimizer;
  const reset = ctx.graph.plan.phases.damsm.resetOptimizerEachEpoch;
  const schedule = p.schedule.type === 'exponential' ? p.schedule : null;
  const Model = imports.localType('model.js', 'Model');
  const optimizeStep = imports.runtime('optim/index.js', 'optimizeStep');
  const adam = imports.runtime('optim/index.js', 'adam');
  const Adam = imports.runtimeType('optim/index.js', 'Adam');
  const LossTensors = imports.runtimeType('optim/index.js', 'LossTensors');
  const ClassIds = imports.runtimeType('losses/index.js', 'ClassIds');
  const img = network(ctx, 'image_encoder').inputs[0]!;
  const part = p.partLoss ?? null;
  const partLoss = part ? imports.runtime('losses/index.js', 'partLoss') : '';
  // The part-word term trains both encoders here, so words and part features agree before G is asked to meet it.
  const partWords = damsm?.partWords?.pretrainWeight ?? 0;
  const partWordTerm = partWords ? imports.local('losses.js', 'partWordTerm') : '';
  const body: Statement[] = [];
  body.push(
    {
      kind: 'function',
      name: 'damsmLearningRate',
      isExported: true,
      docs: [
        doc(
          schedule
            ? [`Learning rate of epoch \`epoch\` (0-based): ${opt.lr} × ${schedule.factor}^epoch, held once it reaches ${schedule.floor}.`]
            : [`Learning rate: constant ${opt.lr}.`],
          p.origin,
        ),
      ],
      parameters: [{ name: 'epoch', type: 'number' }],
      returnType: 'number',
      statements: schedule
        ? lines(`let lr = ${opt.lr};`, `for (let e = 0; e < epoch && lr > ${schedule.floor}; e++) lr *= ${schedule.factor};`, 'return lr;')
        : lines('void epoch;', `return ${opt.lr};`),
    },
    {
      kind: 'function',
      name: 'createDamsmOptimizer',
      isExported: true,
      docs: [
        doc(
          reset
            ? `Adam(β = (${opt.beta1}, ${opt.beta2})) for epoch \`epoch\`; the original re-creates it every epoch, resetting the moments.`
            : `Adam(β = (${opt.beta1}, ${opt.beta2})) at the learning rate of epoch \`epoch\`; created once for the phase, its moments kept across epochs.`,
          p.origin,
        ),
      ],
      parameters: [{ name: 'epoch', type: 'number', initializer: '0' }],
      returnType: Adam,
      statements: lines(
        `return ${adam}({`,
        '  lr: damsmLearningRate(epoch),',
        `  beta1: ${literal(opt.beta1)},`,
        `  beta2: ${literal(opt.beta2)},`,
        `  epsilon: ${literal(opt.epsilon)},`,
        '});',
      ),
    },
    typeAlias('DamsmBatch', undefined, [
        `/** Real images ${shapeText(img.shape)} in [−1, 1] (resized by the encoder when another size). */`,
        `images: ${tf}.Tensor4D;`,
        '/** Token ids [B, T], 0 = padding. */',
        `tokens: ${tf}.Tensor2D;`,
        'lengths: readonly number[];',
        `classIds: ${ClassIds};`,
        ...(part
          ? [`/** Share of each synthetic-bird part in every region [B, ${part.grid}, ${part.grid}, K] (\`Batch.parts\`). */`, `parts: ${tf}.Tensor4D;`]
          : []),
        ...(partWords ? ['/** [B·T] the part each word names (`PARTS` index, −1 for none; `Batch.wordParts`). */', 'wordParts: Int32Array;'] : [])]),
    {
      kind: 'function',
      name: 'damsmStep',
      isExported: true,
      docs: [
        doc(
          [
            'One DAMSM pretraining step: words + sentence losses of both directions, backprop into the text encoder and the',
            `image encoder's trainable parameters${p.gradClip ? `, gradients of ${p.gradClip.params === 'text_encoder' ? 'the text encoder' : 'all parameters'} clipped to total norm ${p.gradClip.maxNorm}` : ''}.`,
            ...(part ? [`Plus the part loss × ${part.weight}: the image encoder's part head against the rendered part masks of each region.`] : []),
            ...(partWords ? [`Plus the part-word term × ${partWords}: each word that names a part against the image encoder's feature of that part.`] : []),
            'Returns the loss terms as scalars the caller disposes; `seed` fixes the dropout mask.',
          ],
          p.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: `Pick<${Model}, 'textEncoder' | 'imageEncoder'>` },
        { name: 'optimizer', type: Adam },
        { name: 'batch', type: 'DamsmBatch' },
        { name: 'seed', type: 'number', hasQuestionToken: true },
      ],
      returnType: LossTensors,
      statements: lines(
        'const variables = [...model.textEncoder.trainableParameters(), ...model.imageEncoder.trainableParameters()];',
        `return ${optimizeStep}(`,
        '  optimizer,',
        '  variables,',
        '  () => {',
        '    const text = encodeCaptions(model.textEncoder, batch.tokens, batch.lengths, true, seed);',
        '    // Real images: no gradient into them, so a frozen trunk runs off the tape.',
        '    const { regions, global } = model.imageEncoder.apply(batch.images, true, { inputGradient: false });',
        '    const d = damsmTerms(regions, global, text, batch.lengths, batch.classIds);',
        part ? `    const parts = ${tf}.mul(${partLoss}(model.imageEncoder.partLogits(regions), batch.parts), ${literal(part.weight)}) as ${tf}.Scalar;` : undefined,
        partWords
          ? partWords === 1
            ? `    const partWords = ${partWordTerm}(model.imageEncoder, regions, text.words, batch.wordParts, batch.classIds);`
            : `    const partWords = ${tf}.mul(${partWordTerm}(model.imageEncoder, regions, text.words, batch.wordParts, batch.classIds), ${literal(partWords)}) as ${tf}.Scalar;`
          : undefined,
        `    return { loss: ${tf}.addN([d.words0, d.words1, d.sentence0, d.sentence1${part ? ', parts' : ''}${partWords ? ', partWords' : ''}]) as ${tf}.Scalar, ...d${part ? ', parts' : ''}${partWords ? ', partWords' : ''} };`,
        '  },',
        p.gradClip
          ? `  { clip: { maxNorm: ${p.gradClip.maxNorm}${p.gradClip.params === 'text_encoder' ? ', variables: model.textEncoder.trainableParameters()' : ''} } },`
          : undefined,
        ');',
      ),
    },
  );
  imports.local('text-encoder.js', 'encodeCaptions');
  if (!damsm) throw new Error('compiler bug: DAMSM phase without a damsm loss term');
  imports.local('losses.js', 'damsmTerms');
  return [...imports.declarations(), ...body];
}

export function emitTrainGan(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const p = phase(ctx, 'gan');
  const gen = network(ctx, 'generator');
  const ds = discriminators(ctx);
  const gOpt = p.optimizers.find((o) => o.id === 'generator')!.optimizer;
  const dOpt = p.optimizers.find((o) => o.id !== 'generator')?.optimizer ?? gOpt;
  const Model = imports.localType('model.js', 'Model');
  const optimizeStep = imports.runtime('optim/index.js', 'optimizeStep');
  const untaped = imports.runtime('optim/index.js', 'untaped');
  const adam = imports.runtime('optim/index.js', 'adam');
  const Adam = imports.runtimeType('optim/index.js', 'Adam');
  const Noise = imports.runtimeType('model/noise.js', 'Noise');
  const ParameterEma = imports.runtime('optim/index.js', 'ParameterEma');
  const LossTensors = imports.runtimeType('optim/index.js', 'LossTensors');
  const ClassIds = imports.runtimeType('losses/index.js', 'ClassIds');
  const Captions = imports.localType('text-encoder.js', 'Captions');
  const encodeCaptions = imports.local('text-encoder.js', 'encodeCaptions');
  const discriminatorLoss = imports.local('losses.js', 'discriminatorLoss');
  const generatorLoss = imports.local('losses.js', 'generatorLoss');
  const clip = p.gradClip ? `{ clip: { maxNorm: ${p.gradClip.maxNorm} } }` : undefined;
  const realTypes = ds.map((d) => `${tf}.Tensor4D`).join(', ');
  // The DAMSM term's ramp reads the step; its negative queue is state the GAN phase keeps.
  const damsmTerm = generatorDamsmTerm(ctx.graph);
  const warmup = damsmTerm?.warmupSteps ?? 0;
  const queue = damsmTerm?.negativeQueue ?? 0;
  const partWords = (damsmTerm?.partWords?.weight ?? 0) > 0;
  const CaptionQueue = queue ? imports.runtime('losses/index.js', 'CaptionQueue') : '';
  const body: Statement[] = [
    typeAlias('GanOptimizers', 'One Adam for G and one per discriminator, smallest first.', [`generator: ${Adam};`, `discriminators: [${ds.map(() => Adam).join(', ')}];`]),
    {
      kind: 'function',
      name: 'createGanOptimizers',
      isExported: true,
      docs: [doc([`Adam for G (lr ${gOpt.lr}, β = (${gOpt.beta1}, ${gOpt.beta2})) and one per discriminator (lr ${dOpt.lr}, β = (${dOpt.beta1}, ${dOpt.beta2})).`], p.origin)],
      returnType: 'GanOptimizers',
      statements: lines(
        'return {',
        `  generator: ${adam}(${adamArgs(gOpt, '  ')}),`,
        '  discriminators: [',
        ...ds.map(() => `    ${adam}(${adamArgs(dOpt, '    ')}),`),
        '  ],',
        '};',
      ),
    },
    {
      kind: 'function',
      name: 'createGeneratorEma',
      isExported: true,
      docs: [doc(p.ema ? `Moving average of G's parameters, decay ${p.ema.decay} (saved in checkpoints instead of the live weights).` : 'EMA disabled by the spec.', p.origin)],
      parameters: [{ name: 'model', type: `Pick<${Model}, 'generator'>` }],
      returnType: p.ema ? ParameterEma : 'null',
      statements: p.ema ? lines(`return new ${ParameterEma}(model.generator, ${p.ema.decay});`) : lines('void model;', 'return null;'),
    },
    ...(queue
      ? [
          {
            kind: 'function' as const,
            name: 'createNegativeQueue',
            isExported: true,
            docs: [doc(`The last ${queue} captions of earlier batches, extra negatives of G's DAMSM term (saved in checkpoints: a resumed run continues with them).`, damsmTerm!.origin)],
            returnType: CaptionQueue,
            statements: lines(`return new ${CaptionQueue}(${queue});`),
          },
        ]
      : []),
    typeAlias('GanBatch', undefined, [
        `/** Real images, one per discriminator: ${ds.map((d) => shapeText(d.inputs[0]!.shape)).join(', ')}. */`,
        `images: [${realTypes}];`,
        '/** Token ids [B, T], 0 = padding. */',
        `tokens: ${tf}.Tensor2D;`,
        'lengths: readonly number[];',
        `classIds: ${ClassIds};`,
        ...(partWords ? ["/** [B·T] the part each word names (`PARTS` index, −1 for none), for G's part-word term. */", 'wordParts: Int32Array;'] : []),
        ...(warmup ? ["/** The GAN phase's step, 0-based (the DAMSM term's weight ramps up with it). */", 'step: number;'] : [])]),
    {
      kind: 'function',
      name: 'discriminatorStep',
      isExported: true,
      docs: [
        doc(
          [
            'One step of every discriminator on real images and detached fakes (each D has its own optimizer, stepped at once).',
            '`fakes`: this iteration\'s generator images (ganStep passes those of the forward its G step differentiates); when omitted,',
            'G runs here outside any tape. Returns each discriminator\'s loss terms.',
          ],
          p.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: Model },
        { name: 'optimizers', type: 'GanOptimizers' },
        { name: 'batch', type: 'GanBatch' },
        { name: 'captions', type: Captions },
        { name: 'noise', type: Noise },
        { name: 'fakes', type: `readonly ${tf}.Tensor4D[]`, hasQuestionToken: true },
      ],
      returnType: `${LossTensors}[]`,
      statements: lines(
        '// Detached, as `fake_imgs[i].detach()` in the original: no tape records the D steps (see `untaped`).',
        `const images = fakes ?? ${tf}.tidy(() => ${untaped}(() => model.generator.apply(${generatorArgs(ctx, true)}).images));`,
        'try {',
        `  return ${untaped}(() => [`,
        ...ds.map((d, i) => {
          const idx = imageIndex(gen, concrete(d.inputs[0]!.shape[1]));
          return `    ${optimizeStep}(optimizers.discriminators[${i}], model.discriminators[${i}].trainableParameters(), () => ${discriminatorLoss}(model.discriminators[${i}], batch.images[${i}], images[${idx}]!, captions.sentence)${clip ? `, ${clip}` : ''}),`;
        }),
        '  ]);',
        '} finally {',
        `  if (!fakes) ${tf}.dispose([...images]);`,
        '}',
      ),
    },
    {
      kind: 'function',
      name: 'generatorStep',
      isExported: true,
      docs: [
        doc(
          [
            'One generator step: the forward pass under the tape, then the generator loss through the discriminators.',
            '`beforeLoss` runs between the two, outside the tape, with the forward\'s images: ganStep steps the discriminators there,',
            'so one forward serves the D steps and the G step, and BatchNorm statistics are updated once, as in the original.',
          ],
          p.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: Model },
        { name: 'optimizers', type: 'GanOptimizers' },
        { name: 'batch', type: 'GanBatch' },
        { name: 'captions', type: Captions },
        { name: 'noise', type: Noise },
        ...(queue ? [{ name: 'negatives', type: CaptionQueue }] : []),
        { name: 'beforeLoss', type: `(images: readonly ${tf}.Tensor4D[]) => void`, hasQuestionToken: true },
      ],
      returnType: LossTensors,
      statements: lines(
        `return ${optimizeStep}(`,
        '  optimizers.generator,',
        '  model.generator.trainableParameters(),',
        '  () => {',
        `    const out = model.generator.apply(${generatorArgs(ctx, true)});`,
        `    if (beforeLoss) ${untaped}(() => beforeLoss(out.images));`,
        `    return ${generatorLoss}(out, model.discriminators, model.imageEncoder, captions, batch.lengths, batch.classIds${queue ? ', negatives' : ''}${partWords ? ', batch.wordParts' : ''}${warmup ? ', batch.step' : ''});`,
        '  },',
        clip ? `  ${clip},` : undefined,
        ');',
      ),
    },
    {
      kind: 'function',
      name: 'ganStep',
      isExported: true,
      docs: [
        doc(
          [
            'One GAN iteration as trainer.py runs it: encode captions with the frozen text encoder, one generator forward on `noise`',
            '(z and ε of this step, from runtime/model/noise.ts), step every D on its detached fakes, then G\'s loss through the updated Ds',
            `and G\'s step, update the EMA of G${queue ? ', put the captions in `negatives`' : ''}. Returns every loss term as scalars the caller disposes (read them only when logging:`,
            'reading syncs with the backend).',
          ],
          p.origin,
        ),
      ],
      parameters: [
        { name: 'model', type: Model },
        { name: 'optimizers', type: 'GanOptimizers' },
        { name: 'batch', type: 'GanBatch' },
        { name: 'noise', type: Noise },
        ...(queue
          ? [
              { name: 'ema', type: `${ParameterEma} | null` },
              { name: 'negatives', type: CaptionQueue },
            ]
          : [{ name: 'ema', type: `${ParameterEma} | null`, initializer: 'null' }]),
      ],
      returnType: `{ discriminators: ${LossTensors}[]; generator: ${LossTensors} }`,
      statements: lines(
        `const captions = ${encodeCaptions}(model.textEncoder, batch.tokens, batch.lengths, false);`,
        'try {',
        `  let discriminators: ${LossTensors}[] = [];`,
        `  const generator = generatorStep(model, optimizers, batch, captions, noise, ${queue ? 'negatives, ' : ''}(fakes) => {`,
        '    discriminators = discriminatorStep(model, optimizers, batch, captions, noise, fakes);',
        '  });',
        '  ema?.update();',
        ...(queue ? [`  negatives.push(captions, batch.lengths, batch.classIds); // this batch's captions are negatives of the next ${Math.ceil(queue / p.batchSize)} steps`] : []),
        '  return { discriminators, generator };',
        '} finally {',
        `  ${tf}.dispose([captions.words, captions.sentence, captions.mask]);`,
        '}',
      ),
    },
  ];
  return [...imports.declarations(), ...body];
}
