/** losses.ts: the spec's loss terms with their weights and γs bound as constants. */
import type { LossNode, ModelGraph, Network } from '../../lower/graph.js';
import { concrete, discriminators, doc, fileScope, lines, literal, network, type EmitContext } from '../context.js';
import type { Statement } from '../print.js';

type Damsm = Extract<LossNode, { type: 'damsm' }>;
type Adversarial = Extract<LossNode, { type: 'adversarial' }>;
type Kl = Extract<LossNode, { type: 'kl' }>;
type Hinge = Extract<LossNode, { type: 'hinge' }>;
type MaGp = Extract<LossNode, { type: 'ma_gp' }>;

export function lossTerms(g: ModelGraph): { adversarial?: Adversarial; damsm?: Damsm; kl?: Kl; hinge?: Hinge; maGp?: MaGp } {
  return {
    adversarial: g.losses.find((l): l is Adversarial => l.type === 'adversarial'),
    damsm: g.losses.find((l): l is Damsm => l.type === 'damsm'),
    kl: g.losses.find((l): l is Kl => l.type === 'kl'),
    hinge: g.losses.find((l): l is Hinge => l.type === 'hinge'),
    maGp: g.losses.find((l): l is MaGp => l.type === 'ma_gp'),
  };
}

/** Index into `GeneratorOutputs.images` of the image of a given size. */
export function imageIndex(generator: Network, size: number): number {
  const heads = generator.modules.filter((m) => m.kind === 'image_head' || m.kind === 'rgb_head');
  const i = heads.findIndex((h) => h.outputs[0]!.shape[1] === size);
  if (i < 0) throw new Error(`compiler bug: no generator image of size ${size}`);
  return i;
}

/**
 * The DAMSM term of G's loss, if it has one: λ = 0 keeps the term for the DAMSM pretraining phase's
 * γs only (DF-GAN's G loss has no DAMSM term).
 */
export function generatorDamsmTerm(g: ModelGraph): Damsm | undefined {
  const t = lossTerms(g).damsm;
  return t && t.lambda !== 0 ? t : undefined;
}

export function emitLosses(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const L = (n: string) => imports.runtime('losses/index.js', n);
  const LT = (n: string) => imports.runtimeType('losses/index.js', n);
  const { adversarial, damsm: damsmTerm, kl, hinge, maGp } = lossTerms(ctx.graph);
  const damsm = generatorDamsmTerm(ctx.graph);
  const gen = network(ctx, 'generator');
  const ds = discriminators(ctx);
  const body: Statement[] = [];
  const Captions = imports.localType('text-encoder.js', 'Captions');
  const ClassIds = LT('ClassIds');

  if (damsmTerm) {
    const damsm = damsmTerm;
    const ids = damsm.classMasking ? 'classIds' : 'null';
    body.push(
      {
        kind: 'type',
        name: 'DamsmTerms',
        isExported: true,
        docs: ['The four DAMSM terms: word and sentence losses, image→caption (0) and caption→image (1).'],
        type: `{ words0: ${tf}.Scalar; words1: ${tf}.Scalar; sentence0: ${tf}.Scalar; sentence1: ${tf}.Scalar }`,
      },
      {
        kind: 'function',
        name: 'damsmTerms',
        isExported: true,
        docs: [
          doc(
            [
              `DAMSM word and sentence losses with γ1 = ${damsm.gamma1}, γ2 = ${damsm.gamma2}, γ3 = ${damsm.gamma3}${damsm.aggregation === 'paper' ? ' (log-sum-exp divided by γ2, as the paper)' : ''}${damsm.classMasking ? ', same-class pairs masked' : ', no class masking'}.`,
              'regions [B, h, w, D], global [B, D], words [B, T, D], sentence [B, D].',
            ],
            damsm.origin,
          ),
        ],
        parameters: [
          { name: 'regions', type: `${tf}.Tensor4D` },
          { name: 'global', type: `${tf}.Tensor2D` },
          { name: 'captions', type: `Pick<${Captions}, 'words' | 'sentence'>` },
          { name: 'lengths', type: 'readonly number[]' },
          { name: 'classIds', type: ClassIds },
        ],
        returnType: 'DamsmTerms',
        statements: lines(
          `return ${tf}.tidy(() => {`,
          damsm.classMasking ? undefined : '  void classIds; // class_masking: false',
          `  const w = ${L('wordsLoss')}(regions, captions.words, lengths, ${ids}, { gamma1: ${damsm.gamma1}, gamma2: ${damsm.gamma2}, gamma3: ${damsm.gamma3}, paperNormalisation: ${damsm.aggregation === 'paper'}, returnAttnMaps: false });`,
          `  const s = ${L('sentLoss')}(global, captions.sentence, ${ids}, { gamma3: ${damsm.gamma3} });`,
          '  return { words0: w.loss0, words1: w.loss1, sentence0: s.loss0, sentence1: s.loss1 };',
          '});',
        ),
      },
    );
    if (damsm.partWords) {
      body.push({
        kind: 'function',
        name: 'partWordTerm',
        isExported: true,
        docs: [
          doc(
            [
              `The part-word term, both directions summed (each phase applies its weight): every word \`wordParts\` attaches to a part against the`,
              `encoder's feature of that part (its regions averaged under the part head), γ2 = ${damsm.gamma2}, γ3 = ${damsm.gamma3}${damsm.classMasking ? ', same-class pairs masked' : ', no class masking'}.`,
              'regions [B, h, w, D] from `imageEncoder`, words [B, T, D], wordParts [B·T] (−1: the word names no part).',
            ],
            damsm.origin,
          ),
        ],
        parameters: [
          { name: 'imageEncoder', type: imports.runtimeType('encoders/image.js', 'CnnImageEncoder') },
          { name: 'regions', type: `${tf}.Tensor4D` },
          { name: 'words', type: `${tf}.Tensor3D` },
          { name: 'wordParts', type: 'Int32Array' },
          { name: 'classIds', type: ClassIds },
        ],
        returnType: `${tf}.Scalar`,
        statements: lines(
          `return ${tf}.tidy(() => {`,
          damsm.classMasking ? undefined : '  void classIds; // class_masking: false',
          `  const p = ${L('partWordsLoss')}(regions, imageEncoder.partLogits(regions), words, wordParts, ${ids}, { gamma2: ${damsm.gamma2}, gamma3: ${damsm.gamma3} });`,
          `  return ${tf}.add(p.loss0, p.loss1) as ${tf}.Scalar;`,
          '});',
        ),
      });
    }
  }

  if (adversarial) {
    const StageDiscriminator = imports.localType('discriminators.js', 'StageDiscriminator');
    const uncond = adversarial.unconditional;
    const wt = adversarial.weights;
    const dWeighted = wt.conditional !== 1 || wt.mismatched !== 1 || (uncond && wt.unconditional !== 1);
    body.push({
      kind: 'function',
      name: 'discriminatorLoss',
      isExported: true,
      docs: [
        doc(
          [
            `One discriminator's loss: conditional${uncond ? ' and unconditional' : ''} real/fake terms and mismatched pairs (real image k with caption k+1),`,
            `${uncond ? 'weighted (uncond_real + cond_real)/2 + (uncond_fake + cond_fake + cond_wrong)/3' : 'weighted cond_real + (cond_fake + cond_wrong)/2'} as the original code${dWeighted ? `, each term times its weight (${weightText(wt, uncond, true)})` : ''}${maGp ? ',' : '.'}`,
            ...(maGp ? [`plus DF-GAN's MA-GP (k = ${maGp.weight}, p = ${maGp.power}) on the conditional head's pre-sigmoid logits at the real pairs.`] : []),
            '`fake` must be detached (computed outside the gradient tape).',
          ],
          maGp ? maGp.origin : adversarial.origin,
        ),
      ],
      parameters: [
        { name: 'd', type: StageDiscriminator },
        { name: 'real', type: `${tf}.Tensor4D` },
        { name: 'fake', type: `${tf}.Tensor4D` },
        { name: 'sentence', type: `${tf}.Tensor2D` },
      ],
      returnType: maGp ? `${LT('DiscriminatorLoss')} & { penalty: ${tf}.Scalar }` : LT('DiscriminatorLoss'),
      statements: lines(
        `return ${tf}.tidy(() => {`,
        "  // Real and fake images through the encoder as one batch (one weight gradient per layer, not two to",
        "  // add); BatchNorm still normalises each half on its own (spectral norm steps its power iteration",
        "  // once per half), as the original's two calls do.",
        `  const codes = ${imports.runtime('nn/index.js', 'withBatchGroups')}(2, () => d.code(${tf}.concat([real, fake]), true));`,
        `  const [realCode, fakeCode] = ${tf}.split(codes, 2) as [${tf}.Tensor4D, ${tf}.Tensor4D]; // [B, 4, 4, 8·ndf] each`,
        `  const wrong = ${L('mismatchedPairs')}(realCode, sentence);`,
        `  ${maGp ? 'const terms =' : 'return'} ${imports.runtime('losses/index.js', 'discriminatorLoss', 'ganDiscriminatorLoss')}({`,
        '    realCond: d.COND_DNET.apply(realCode, sentence, true),',
        '    fakeCond: d.COND_DNET.apply(fakeCode, sentence, true),',
        '    wrongCond: d.COND_DNET.apply(wrong.image, wrong.sentence, true),',
        uncond ? '    realUncond: d.UNCOND_DNET.apply(realCode),' : undefined,
        uncond ? '    fakeUncond: d.UNCOND_DNET.apply(fakeCode),' : undefined,
        dWeighted ? `  }, ${weightObject(wt)});` : '  });',
        ...(maGp
          ? [
              "  // The penalty runs the real images through the image code once more (BatchNorm statistics and spectral",
              "  // norm's power iteration advance once more), inside its own gradient call: second-order gradients",
              "  // into D, with BatchNorm in its differentiable composite form there.",
              `  const gp = ${L('matchingAwareGradientPenalty')}((x, s) => d.COND_DNET.logits(d.code(x, true), s, true), real, sentence, { weight: ${maGp.weight}, power: ${maGp.power} });`,
              `  return { ...terms, loss: ${tf}.add(terms.loss, gp.penalty) as ${tf}.Scalar, penalty: gp.penalty };`,
            ]
          : []),
        '});',
      ),
    });
  }

  if (hinge) {
    const StageDiscriminator = imports.localType('discriminators.js', 'StageDiscriminator');
    const penalty = maGp ? `{ weight: ${maGp.weight}, power: ${maGp.power} }` : 'null';
    body.push({
      kind: 'function',
      name: 'discriminatorLoss',
      isExported: true,
      docs: [
        doc(
          [
            "The one-way discriminator's loss as DF-GAN's `train` sums it: hinge(real) + (hinge(fake) + hinge(mismatched))/2",
            maGp ? `+ MA-GP (k = ${maGp.weight}, p = ${maGp.power}) at the real pairs. Mismatched: real image k+1's features with sentence k.` : '(no gradient penalty). Mismatched: real image k+1\'s features with sentence k.',
            '`fake` must be detached (computed outside the gradient tape).',
          ],
          maGp ? maGp.origin : hinge.origin,
        ),
      ],
      parameters: [
        { name: 'd', type: StageDiscriminator },
        { name: 'real', type: `${tf}.Tensor4D` },
        { name: 'fake', type: `${tf}.Tensor4D` },
        { name: 'sentence', type: `${tf}.Tensor2D` },
      ],
      returnType: `${LT('HingeDLoss')} & { penalty: ${tf}.Scalar }`,
      statements: lines(
        `return ${tf}.tidy(() => {`,
        maGp
          ? "  // One NetD forward of the real images gives the real and mismatched logits; the penalty differentiates it w.r.t. (image, sentence)."
          : '  // One NetD forward of the real images gives the real and mismatched logits.',
        `  const r = ${L('realPairs')}(d, real, sentence, ${penalty});`,
        `  const h = ${L('hingeDiscriminatorLoss')}({ real: r.real, fake: d.logits(d.features(fake), sentence), mismatched: r.mismatched });`,
        maGp ? `  return { ...h, loss: ${tf}.add(h.loss, r.penalty) as ${tf}.Scalar, penalty: r.penalty };` : '  return { ...h, penalty: r.penalty };',
        '});',
      ),
    });
  }

  // Generator loss
  const GeneratorOutputs = imports.localType('generator.js', 'GeneratorOutputs');
  const Discriminators = imports.localType('discriminators.js', 'Discriminators');
  // The part-word term reads the encoder's part head, which only the CNN encoder has (rule ATTNC2025).
  const gPartWords = damsm?.partWords?.weight ?? 0;
  const ImageEncoder = imports.runtimeType('encoders/image.js', gPartWords ? 'CnnImageEncoder' : 'ImageEncoder');
  const adv = adversarial
    ? ds.map((d, i) => {
        const idx = imageIndex(gen, concrete(d.inputs[0]!.shape[1]));
        return `    stageOutputs(discriminators[${i}], out.images[${idx}], captions.sentence), // ${d.inputs[0]!.shape[1]} px`;
      })
    : [];
  const terms: string[] = [];
  const stmts: Array<string | undefined> = [`return ${tf}.tidy(() => {`];
  if (adversarial) {
    body.push({
      kind: 'function',
      name: 'stageOutputs',
      docs: ['Both heads on a generated image (the generator wants them to say "real").'],
      parameters: [
        { name: 'd', type: imports.localType('discriminators.js', 'StageDiscriminator') },
        { name: 'image', type: `${tf}.Tensor4D` },
        { name: 'sentence', type: `${tf}.Tensor2D` },
      ],
      returnType: LT('GeneratorStageOutputs'),
      statements: lines(
        '// Not in a tidy: the caller\'s tidy (inside the gradient tape) owns these tensors.',
        'const code = d.code(image, true);',
        adversarial.unconditional
          ? 'return { fakeCond: d.COND_DNET.apply(code, sentence, true), fakeUncond: d.UNCOND_DNET.apply(code) };'
          : 'return { fakeCond: d.COND_DNET.apply(code, sentence, true) };',
      ),
    });
    const wt = adversarial.weights;
    const gWeighted = wt.conditional !== 1 || (adversarial.unconditional && wt.unconditional !== 1);
    const gOptions = [adversarial.averaging === 'paper' ? 'paperHalf: true' : undefined, gWeighted ? `weights: ${weightObject(wt)}` : undefined].filter((o) => o !== undefined);
    if (gWeighted) stmts.push(`  // Adversarial terms weighted ${weightText(wt, adversarial.unconditional, false)}.`);
    stmts.push(`  const adversarial = ${L('generatorAdvLoss')}([`, ...adv, `  ]${gOptions.length ? `, { ${gOptions.join(', ')} }` : ''}).loss;`);
    terms.push('adversarial');
  }
  if (hinge) {
    const idx = imageIndex(gen, concrete(ds[0]!.inputs[0]!.shape[1]));
    stmts.push(
      '  // −mean D(fake, sentence), through the discriminator as just updated.',
      `  const adversarial = ${L('hingeGeneratorLoss')}(discriminators[0].logits(discriminators[0].features(out.images[${idx}]), captions.sentence));`,
    );
    terms.push('adversarial');
  }
  if (damsm) {
    const size = ctx.graph.imageSizes[damsm.stage]!;
    const idx = imageIndex(gen, size);
    stmts.push(
      `  // DAMSM on the ${size} px image through the frozen image encoder (gradients flow into G, not into the encoder).`,
      `  const { regions, global } = imageEncoder.apply(out.images[${idx}], false);`,
      ...(damsm.negativeQueue
        ? [
            `  // Candidates: this batch's captions, then up to ${damsm.negativeQueue} of earlier batches as extra negatives (more of them agree`,
            '  // with the image on wing colour or scene, so the term asks for the smaller parts too).',
            '  const candidates = negatives.widen(captions, lengths, classIds);',
            '  const d = damsmTerms(regions, global, candidates, candidates.lengths, candidates.classIds);',
          ]
        : ['  const d = damsmTerms(regions, global, captions, lengths, classIds);']),
      damsm.warmupSteps
        ? `  const damsm = ${tf}.mul(${tf}.addN([d.words0, d.words1, d.sentence0, d.sentence1]), ${damsm.lambda} * Math.min(1, step / ${damsm.warmupSteps})) as ${tf}.Scalar; // λ = ${damsm.lambda}, ramped up over the first ${damsm.warmupSteps} G steps`
        : damsm.lambda === 1
          ? `  const damsm = ${tf}.addN([d.words0, d.words1, d.sentence0, d.sentence1]) as ${tf}.Scalar; // λ = 1`
          : `  const damsm = ${tf}.mul(${tf}.addN([d.words0, d.words1, d.sentence0, d.sentence1]), ${damsm.lambda}) as ${tf}.Scalar; // λ = ${damsm.lambda}`,
    );
    terms.push('damsm');
    if (gPartWords) {
      const w = gPartWords;
      stmts.push(
        '  // Part words: each word the caption attaches to a part ("red" in "red crown", `wordParts`) against the encoder\'s',
        '  // feature of that part rather than the regions it attends to, so a red wing cannot stand in for a red crown.',
        damsm.warmupSteps
          ? `  const partWords = ${tf}.mul(partWordTerm(imageEncoder, regions, captions.words, wordParts, classIds), ${w === 1 ? '' : `${w} * `}Math.min(1, step / ${damsm.warmupSteps})) as ${tf}.Scalar; // weight ${w}, ramped up as λ`
          : w === 1
            ? `  const partWords = partWordTerm(imageEncoder, regions, captions.words, wordParts, classIds); // weight 1`
            : `  const partWords = ${tf}.mul(partWordTerm(imageEncoder, regions, captions.words, wordParts, classIds), ${w}) as ${tf}.Scalar; // weight ${w}`,
      );
      terms.push('partWords');
    }
  }
  if (kl) {
    const klTerm = `${L('klLoss')}(out.mu, out.logvar, { reduction: ${literal(kl.reduction)} })`;
    stmts.push(kl.weight === 1 ? `  const kl = ${klTerm};` : `  const kl = ${tf}.mul(${klTerm}, ${kl.weight}) as ${tf}.Scalar; // weight ${kl.weight}`);
    terms.push('kl');
  }
  stmts.push(`  const loss = ${terms.length === 1 ? `${tf}.clone(${terms[0]})` : `${tf}.addN([${terms.join(', ')}])`} as ${tf}.Scalar;`, `  return { loss, ${terms.join(', ')} };`, '});');
  body.push(
    {
      kind: 'type',
      name: 'GeneratorLoss',
      isExported: true,
      type: `{ loss: ${tf}.Scalar; ${terms.map((t) => `${t}: ${tf}.Scalar`).join('; ')} }`,
    },
    {
      kind: 'function',
      name: 'generatorLoss',
      isExported: true,
      docs: [
        doc(
          [
            `The generator's loss: ${[adversarial ? 'adversarial (summed over discriminators)' : '', hinge ? 'hinge (−mean D(fake, sentence))' : '', damsm ? `λ·DAMSM on the ${ctx.graph.imageSizes[damsm.stage]} px image (λ = ${damsm.lambda}${damsm.warmupSteps ? `, from 0 at G step \`step\` = 0 linearly up to step ${damsm.warmupSteps}` : ''}${damsm.negativeQueue ? `; candidates: the batch's captions and the ${damsm.negativeQueue} in \`negatives\`` : ''})` : '', gPartWords ? `${gPartWords}·part words (each word of \`wordParts\` against its part's feature)` : '', kl ? `${kl.weight}·KL of the conditioning augmentation` : ''].filter(Boolean).join(' + ')}.`,
          ],
          (adversarial ?? hinge ?? damsm ?? kl)!.origin,
        ),
      ],
      parameters: [
        { name: 'out', type: GeneratorOutputs },
        { name: 'discriminators', type: Discriminators },
        { name: 'imageEncoder', type: ImageEncoder },
        { name: 'captions', type: Captions },
        { name: 'lengths', type: 'readonly number[]' },
        { name: 'classIds', type: ClassIds },
        ...(damsm?.negativeQueue ? [{ name: 'negatives', type: LT('CaptionQueue') }] : []),
        ...(gPartWords ? [{ name: 'wordParts', type: 'Int32Array' }] : []),
        ...(damsm?.warmupSteps ? [{ name: 'step', type: 'number' }] : []),
      ],
      returnType: 'GeneratorLoss',
      statements: lines(
        ...(!adversarial && !hinge ? ['void discriminators;'] : []),
        ...(!damsm ? ['void imageEncoder;', 'void lengths;', 'void classIds;'] : []),
        ...stmts,
      ),
    },
  );
  return [...imports.declarations(), ...body];
}

type AdversarialWeights = Extract<LossNode, { type: 'adversarial' }>['weights'];

/** The adversarial term's weights as a literal for the runtime call. */
function weightObject(w: AdversarialWeights): string {
  return `{ conditional: ${w.conditional}, unconditional: ${w.unconditional}, mismatched: ${w.mismatched} }`;
}

/** The weights a loss actually uses, for its doc comment ("cond ×1, uncond ×0.5, wrong ×2"). */
function weightText(w: AdversarialWeights, uncond: boolean, withWrong: boolean): string {
  return [`cond ×${w.conditional}`, uncond ? `uncond ×${w.unconditional}` : undefined, withWrong ? `wrong ×${w.mismatched}` : undefined].filter((x) => x !== undefined).join(', ');
}
