/**
 * generator.ts: one class per stage with its concrete constants, and `Generator` composing the
 * conditioning augmentation, the stages and the image heads under the original state_dict names.
 */
import { shapeText, isKind, moduleOf, modulesOf, type ModuleNode, type ModuleOf, type TensorNode } from '../../lower/graph.js';
import { count, doc, fileScope, hasConditioningAugmentation, isFusionGenerator, lines, literal, network, type EmitContext, typeAlias } from '../context.js';
import type { ClassDecl, PropertyDecl, Statement } from '../print.js';
import { emitFusionGenerator } from './fusion-generator.js';

export const GENERATOR_FILE = 'generator.ts';

export function stageClassName(m: ModuleNode): string {
  const n = m.id.replace('h_net', '');
  return m.kind === 'init_stage' ? `InitStage${n}` : `AttentionStage${n}`;
}

const prop = (name: string, initializer: string, comment?: string): PropertyDecl => ({
  
  name,
  isReadonly: true,
  initializer,
  ...(comment ? { trailingTrivia: ` // ${comment}` } : {}),
});

const out = (m: ModuleNode, i = 0): TensorNode => m.outputs[i]!;

export function emitGenerator(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const net = network(ctx, 'generator');
  if (isFusionGenerator(net)) {
    const fusion = emitFusionGenerator(ctx, net, imports);
    return [...imports.declarations(), ...fusion];
  }
  const blocks = (name: string) => imports.runtime('blocks/index.js', name);
  const nn = (name: string) => imports.runtime('nn/index.js', name);
  const Module = nn('Module');
  const body: Statement[] = [];

  const stages = net.modules.filter((m): m is ModuleOf<'init_stage' | 'attention_stage'> => m.kind === 'init_stage' || m.kind === 'attention_stage');
  for (const m of stages) body.push(isKind(m, 'init_stage') ? initStageClass(m) : attentionStageClass(m));

  function initStageClass(m: ModuleOf<'init_stage'>): ClassDecl {
    const c = m.config;
    const features = c.channels * 16 * 2;
    const props: PropertyDecl[] = [
      prop('linear', `new ${nn('Linear')}({ inFeatures: ${c.cDim + c.zDim}, outFeatures: ${features}, bias: false })`, `[c, z] ${shapeText(['B', c.cDim + c.zDim])} → ${shapeText(['B', features])}`),
      prop('bn', `new ${nn('BatchNorm')}({ channels: ${features} })`, 'BatchNorm1d'),
      prop('fc', `this.addModule('fc', new ${nn('Sequential')}({ 0: this.linear, 1: this.bn }))`, 'state_dict keys fc.0.*, fc.1.*'),
    ];
    const steps: string[] = [];
    let ch = c.channels;
    let s = 4;
    for (let i = 1; i <= c.upBlocks; i++) {
      props.push(prop(`upsample${i}`, `this.addModule('upsample${i}', new ${blocks('UpBlock')}({ inChannels: ${ch}, outChannels: ${ch / 2} }))`, shapeText(['B', 2 * s, 2 * s, ch / 2])));
      steps.push(`h = this.upsample${i}.apply(h, training); // ${shapeText(['B', 2 * s, 2 * s, ch / 2])}`);
      ch /= 2;
      s *= 2;
    }
    return {
      kind: 'class',
      name: stageClassName(m),
      isExported: true,
      extends: Module,
      docs: [doc(`Stage ${m.id.replace('h_net', '')}: fc from [c, z] to a 4×4×${c.channels} code, then ${c.upBlocks} upBlocks to ${c.size}×${c.size}×${ch}. ${count(m.paramCount)} parameters.`, m.origin)],
      properties: props,
      methods: [
        {
          name: 'apply',
          docs: [`c: ${shapeText(m.inputs[0]!.shape)}, z: ${shapeText(m.inputs[1]!.shape)} → h: ${shapeText(out(m).shape)}`],
          parameters: [
            { name: 'c', type: `${tf}.Tensor2D` },
            { name: 'z', type: `${tf}.Tensor2D` },
            { name: 'training', type: 'boolean' },
          ],
          returnType: `${tf}.Tensor4D`,
          statements: lines(
            `return ${tf}.tidy(() => {`,
            `  const x = ${blocks('glu')}(this.bn.apply(this.linear.apply(${tf}.concat([c, z], 1)), training)); // ${shapeText(['B', features / 2])}`,
            '  // PyTorch feature order (C, 4, 4) → NHWC, so .pth weights load without permutation.',
            `  let h = ${tf}.transpose(${tf}.reshape(x, [-1, ${c.channels}, 4, 4]), [0, 2, 3, 1]) as ${tf}.Tensor4D; // ${shapeText(['B', 4, 4, c.channels])}`,
            ...steps.map((l) => `  ${l}`),
            '  return h;',
            '});',
          ),
        },
      ],
    };
  }

  function attentionStageClass(m: ModuleOf<'attention_stage'>): ClassDecl {
    const c = m.config;
    const inSize = c.size / 2;
    const cat = shapeText(['B', inSize, inSize, 2 * c.channels]);
    const props: PropertyDecl[] = [
      prop('att', `this.addModule('att', new ${blocks('WordAttention')}({ channels: ${c.channels}, wordDim: ${c.wordDim}, maskMode: ${literal(c.maskMode)} }))`, `conv_context ${c.wordDim}→${c.channels}`),
    ];
    const res: string[] = [];
    for (let r = 0; r < c.residualBlocks; r++) {
      props.push(prop(`res${r}`, `new ${blocks('ResBlock')}({ channels: ${2 * c.channels} })`, cat));
      res.push(`  x = this.res${r}.apply(x, training); // ${cat}`);
    }
    if (c.residualBlocks > 0) {
      const entries = Array.from({ length: c.residualBlocks }, (_, r) => `${r}: this.res${r}`).join(', ');
      props.push(prop('residual', `this.addModule('residual', new ${nn('Sequential')}({ ${entries} }))`, `state_dict keys residual.<r>.block.*`));
    }
    props.push(prop('upsample', `this.addModule('upsample', new ${blocks('UpBlock')}({ inChannels: ${2 * c.channels}, outChannels: ${c.channels} }))`, shapeText(out(m).shape)));
    return {
      kind: 'class',
      name: stageClassName(m),
      isExported: true,
      extends: Module,
      docs: [
        doc(
          `Stage ${m.id.replace('h_net', '')}: word attention at ${inSize}×${inSize}, ${c.residualBlocks} residual block${c.residualBlocks === 1 ? '' : 's'}, then upsampling to ${c.size}×${c.size}. ${count(m.paramCount)} parameters.`,
          m.origin,
        ),
      ],
      properties: props,
      methods: [
        {
          name: 'apply',
          docs: [`h: ${shapeText(m.inputs[0]!.shape)}, words: ${shapeText(m.inputs[1]!.shape)}, mask: ${shapeText(m.inputs[2]!.shape)} (true = padding) → h: ${shapeText(out(m).shape)}, attn: ${shapeText(out(m, 1).shape)}`],
          parameters: [
            { name: 'h', type: `${tf}.Tensor4D` },
            { name: 'words', type: `${tf}.Tensor3D` },
            { name: 'mask', type: `${tf}.Tensor2D | null` },
            { name: 'training', type: 'boolean' },
          ],
          returnType: `{ h: ${tf}.Tensor4D; attn: ${tf}.Tensor4D }`,
          statements: lines(
            `return ${tf}.tidy(() => {`,
            `  const { context, attn } = this.att.apply(h, words, mask); // context ${shapeText(['B', inSize, inSize, c.channels])}, attn ${shapeText(out(m, 1).shape)}`,
            `  ${c.residualBlocks > 0 ? 'let' : 'const'} x = ${tf}.concat([h, context], -1) as ${tf}.Tensor4D; // ${cat}`,
            ...res,
            `  return { h: this.upsample.apply(x, training), attn }; // h ${shapeText(out(m).shape)}`,
            '});',
          ),
        },
      ],
    };
  }

  // ── Generator ──
  // The sentence code: CA_NET (reparameterised, with a KL term), or `cond_net` without the noise.
  const hasCa = hasConditioningAugmentation(net);
  const code = hasCa ? moduleOf(net, 'ca_net', 'cond_augment') : moduleOf(net, 'cond_net', 'sentence_code');
  const heads = modulesOf(net, 'image_head');
  const codeCfg = code.config;
  const props: PropertyDecl[] = [
    hasCa
      ? prop('ca_net', `this.addModule('ca_net', new ${blocks('CondAugment')}({ textDim: ${codeCfg.textDim}, cDim: ${codeCfg.cDim} }))`, `sentence ${shapeText(code.inputs[0]!.shape)} → c ${shapeText(out(code).shape)}`)
      : prop('cond_net', `this.addModule('cond_net', new ${blocks('SentenceCode')}({ textDim: ${codeCfg.textDim}, cDim: ${codeCfg.cDim} }))`, `sentence ${shapeText(code.inputs[0]!.shape)} → c ${shapeText(out(code).shape)}, no noise (conditioning augmentation off)`),
  ];
  // Registration order = the original's: ca_net, h_net1, img_net1, h_net2, img_net2, … (img_net last for DCGAN).
  for (const m of net.modules) {
    if (m.kind === 'init_stage' || m.kind === 'attention_stage') {
      props.push(prop(m.id, `this.addModule('${m.id}', new ${stageClassName(m)}())`, shapeText(out(m).shape)));
    } else if (isKind(m, 'memory_stage')) {
      // DM-GAN's stage is one runtime block (its keys A, B, M_r, M_w, key, value, response_gate, residual, upsample).
      const c = m.config;
      props.push(
        prop(
          m.id,
          `this.addModule('${m.id}', new ${blocks('MemoryStage')}({ channels: ${c.channels}, wordDim: ${c.wordDim}, residualBlocks: ${c.residualBlocks}, maskMode: ${literal(c.maskMode)} }))`,
          `dynamic memory at ${c.size / 2}×${c.size / 2}, ${count(m.paramCount)} parameters → ${shapeText(out(m).shape)}`,
        ),
      );
    } else if (isKind(m, 'image_head')) {
      props.push(prop(m.id, `this.addModule('${m.id}', new ${blocks('ImageHead')}({ channels: ${m.config.channels} }))`, shapeText(out(m).shape)));
    }
  }
  const imagesType = `[${heads.map(() => `${tf}.Tensor4D`).join(', ')}]`;
  const attnStages = net.modules.filter((m) => m.kind === 'attention_stage' || m.kind === 'memory_stage');
  const attnType = `[${attnStages.map(() => `${tf}.Tensor4D`).join(', ')}]`;
  body.push(
    typeAlias('GeneratorInputs', 'What one generator forward pass takes.', [
        `/** Noise ${shapeText(net.inputs[0]!.shape)}. */`,
        `z: ${tf}.Tensor2D;`,
        `/** Sentence embedding ${shapeText(net.inputs[1]!.shape)}. */`,
        `sentence: ${tf}.Tensor2D;`,
        `/** Word features ${shapeText(net.inputs[2]!.shape)}. */`,
        `words: ${tf}.Tensor3D;`,
        `/** ${shapeText(net.inputs[3]!.shape)}, true at padding; null when no caption is padded. */`,
        `mask: ${tf}.Tensor2D | null;`,
        'training: boolean;',
        ...(hasCa ? ['/** Conditioning-augmentation noise ε: a tensor, a seeded Rng, or omitted for tf.randomNormal. */', `noise?: ${tf}.Tensor2D | ${imports.runtimeType('nn/index.js', 'Rng')};`] : [])]),
    typeAlias('GeneratorOutputs', 'What one generator forward pass returns.', [
        `/** ${heads.map((h) => shapeText(out(h).shape)).join(', ')} in [−1, 1]. */`,
        `images: ${imagesType};`,
        `/** ${attnStages.some((m) => m.kind === 'memory_stage') ? 'Reading weights over the words per memory stage' : 'Word attention per attention stage'}: ${attnStages.map((s) => shapeText(out(s, 1).shape)).join(', ') || 'none'}. */`,
        `attn: ${attnType};`,
        ...(hasCa ? [`mu: ${tf}.Tensor2D;`, `logvar: ${tf}.Tensor2D;`] : [])]),
  );
  const fwd: string[] = [
    hasCa
      ? `  const { c, mu, logvar } = this.ca_net.apply(input.sentence, input.noise); // c ${shapeText(out(code).shape)}`
      : `  const c = this.cond_net.apply(input.sentence); // c ${shapeText(out(code).shape)}`,
  ];
  const images: string[] = [];
  const attn: string[] = [];
  let hVar = '';
  for (const m of net.modules) {
    const n = m.id.replace(/\D/g, '');
    if (m.kind === 'init_stage') {
      fwd.push(`  const h${n} = this.${m.id}.apply(c, input.z, input.training); // ${shapeText(out(m).shape)}`);
      hVar = `h${n}`;
    } else if (m.kind === 'attention_stage' || m.kind === 'memory_stage') {
      fwd.push(`  const s${n} = this.${m.id}.apply(${hVar}, input.words, input.mask, input.training); // h ${shapeText(out(m).shape)}`);
      fwd.push(`  const h${n} = s${n}.h;`);
      attn.push(`s${n}.attn`);
      hVar = `h${n}`;
    } else if (m.kind === 'image_head') {
      const size = out(m).shape[1];
      fwd.push(`  const image${size} = this.${m.id}.apply(${hVar}); // ${shapeText(out(m).shape)}`);
      images.push(`image${size}`);
    }
  }
  const gen: ClassDecl = {
    kind: 'class',
    name: 'Generator',
    isExported: true,
    extends: Module,
    docs: [doc([`The generator (\`G_NET\`): ${stages.length + attnStages.filter((m) => m.kind === 'memory_stage').length} stage${stages.length + attnStages.filter((m) => m.kind === 'memory_stage').length === 1 ? '' : 's'}, ${heads.length} image head${heads.length === 1 ? '' : 's'}. ${count(net.paramCount)} parameters.`], net.origin)],
    properties: props,
    methods: [
      {
        name: 'apply',
        docs: [`z ${shapeText(net.inputs[0]!.shape)}, sentence ${shapeText(net.inputs[1]!.shape)}, words ${shapeText(net.inputs[2]!.shape)} → images ${heads.map((h) => shapeText(out(h).shape)).join(', ')}`],
        parameters: [{ name: 'input', type: 'GeneratorInputs' }],
        returnType: 'GeneratorOutputs',
        statements: lines(`return ${tf}.tidy(() => {`, ...fwd, `  return { images: [${images.join(', ')}], attn: [${attn.join(', ')}]${hasCa ? ', mu, logvar' : ''} };`, '});'),
      },
    ],
  };
  body.push(gen);
  return [...imports.declarations(), ...body];
}
