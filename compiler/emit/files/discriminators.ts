/** discriminators.ts: one class per discriminator, composing the runtime's D blocks and heads. */
import { moduleOf, shapeText, type ModuleNode, type Network } from '../../lower/graph.js';
import { count, discriminators, doc, fileScope, lines, type EmitContext } from '../context.js';
import type { ClassDecl, PropertyDecl, Statement } from '../print.js';

export function emitDiscriminators(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const Module = imports.runtime('nn/index.js', 'Module');
  const d = (name: string) => imports.runtime('discriminators/index.js', name);
  const body: Statement[] = [];
  const nets = discriminators(ctx);
  for (const net of nets) {
    if (net.modules.some((m) => m.kind === 'one_way_trunk')) {
      body.push(oneWayClass(net));
      continue;
    }
    const props: PropertyDecl[] = [];
    const codeSteps: ModuleNode[] = [];
    const add = (m: ModuleNode, ctor: string) => {
      props.push({ name: m.id, isReadonly: true, initializer: `this.addModule('${m.id}', ${ctor})`, trailingTrivia: ` // ${shapeText(m.outputs[0]!.shape)}` });
    };
    // DM-GAN's blocks say so; AttnGAN's generated code stays as it was.
    const sn = (c: { spectralNorm: boolean }) => (c.spectralNorm ? ', spectralNorm: true' : '');
    for (const m of net.modules) {
      switch (m.kind) {
        case 'encode_image_by_16':
          add(m, `new ${d('EncodeImageBy16Times')}({ ndf: ${m.config.ndf}${sn(m.config)} })`);
          break;
        case 'encode_image_by_8':
          add(m, `new ${d('EncodeImageBy8Times')}({ ndf: ${m.config.ndf}${sn(m.config)} })`);
          break;
        case 'encode_image_by_4':
          add(m, `new ${d('EncodeImageBy4Times')}({ ndf: ${m.config.ndf}${sn(m.config)} })`);
          break;
        case 'down_block':
          add(m, `new ${d('DownBlock')}({ inChannels: ${m.config.inChannels}, outChannels: ${m.config.outChannels}${sn(m.config)} })`);
          break;
        case 'block3x3_leaky':
          add(m, `new ${d('Block3x3LeakRelu')}({ inChannels: ${m.config.inChannels}, outChannels: ${m.config.outChannels}${sn(m.config)} })`);
          break;
        case 'uncond_logits':
          add(m, `new ${d('UncondLogits')}({ ndf: ${m.config.ndf} })`);
          continue;
        case 'cond_logits':
          add(m, `new ${d('CondLogits')}({ ndf: ${m.config.ndf}, nef: ${m.config.nef}${sn(m.config)} })`);
          continue;
        default:
          throw new Error(`compiler bug: ${m.kind} in a discriminator`);
      }
      codeSteps.push(m);
    }
    // The image code: the first block reads the image, the rest chain; a single block is returned directly.
    const steps = codeSteps.map((m, i) => {
      const call = `this.${m.id}.apply(${i === 0 ? 'image' : 'h'}, training); // ${shapeText(m.outputs[0]!.shape)}`;
      if (codeSteps.length === 1) return `  return ${call}`;
      return `  ${i === 0 ? 'let h = ' : 'h = '}${call}`;
    });
    if (codeSteps.length > 1) steps.push('  return h;');
    const size = net.inputs[0]!.shape[1];
    const cls: ClassDecl = {
      kind: 'class',
      name: net.className,
      isExported: true,
      extends: Module,
      docs: [doc([`Discriminator for ${size}×${size} images (\`D_NET${size}\`): image code to 4×4, then the logits heads. ${count(net.paramCount)} parameters.`], net.origin)],
      properties: [{ name: 'size', isReadonly: true, initializer: String(size) }, ...props],
      methods: [
        {
          name: 'code',
          docs: [`image ${shapeText(net.inputs[0]!.shape)} → code ${shapeText(net.outputs[0]!.shape)} (what both heads read)`],
          parameters: [
            { name: 'image', type: `${tf}.Tensor4D` },
            { name: 'training', type: 'boolean' },
          ],
          returnType: `${tf}.Tensor4D`,
          statements: lines(`return ${tf}.tidy(() => {`, ...steps, '});'),
        },
      ],
    };
    body.push(cls);
  }
  function oneWayClass(net: Network): ClassDecl {
    const trunk = moduleOf(net, 'netD', 'one_way_trunk');
    const joint = moduleOf(net, 'netC', 'joint_conditional');
    const size = trunk.config.size;
    const features = shapeText(trunk.outputs[0]!.shape);
    return {
      kind: 'class',
      name: net.className,
      isExported: true,
      extends: Module,
      docs: [
        doc(
          [
            `DF-GAN's one-way discriminator for ${size}×${size} images: \`netD\` (NetD: conv_img and ${trunk.config.blocks} residual D_Blocks to ${features})`,
            `and \`netC\` (NetC: the ${joint.config.condDim}-d sentence tiled over those features, two convs, one logit). ${count(net.paramCount)} parameters.`,
          ],
          net.origin,
        ),
      ],
      properties: [
        { name: 'size', isReadonly: true, initializer: String(size) },
        { name: 'netD', isReadonly: true, initializer: `this.addModule('netD', new ${d('OneWayTrunk')}({ ndf: ${trunk.config.ndf}, size: ${size} }))`, trailingTrivia: ` // ${features}` },
        { name: 'netC', isReadonly: true, initializer: `this.addModule('netC', new ${d('JointConditional')}({ ndf: ${joint.config.ndf}, condDim: ${joint.config.condDim} }))`, trailingTrivia: ` // ${shapeText(joint.outputs[0]!.shape)}` },
      ],
      methods: [
        {
          name: 'features',
          docs: [`image ${shapeText(trunk.inputs[0]!.shape)} → features ${features} (NetD)`],
          parameters: [{ name: 'image', type: `${tf}.Tensor4D` }],
          returnType: `${tf}.Tensor4D`,
          statements: lines('return this.netD.apply(image);'),
        },
        {
          name: 'logits',
          docs: [`features ${features}, sentence ${shapeText(joint.inputs[1]!.shape)} → logits ${shapeText(joint.outputs[0]!.shape)} (NetC)`],
          parameters: [
            { name: 'features', type: `${tf}.Tensor4D` },
            { name: 'sentence', type: `${tf}.Tensor2D` },
          ],
          returnType: `${tf}.Tensor1D`,
          statements: lines('return this.netC.apply(features, sentence);'),
        },
      ],
    };
  }

  const oneWay = nets.some((n) => n.modules.some((m) => m.kind === 'one_way_trunk'));
  body.push(
    { kind: 'type', name: 'StageDiscriminator', isExported: true, docs: ['Any of this model\'s discriminators.'], type: nets.map((n) => n.className).join(' | ') },
    {
      kind: 'type',
      name: 'Discriminators',
      isExported: true,
      docs: [`The discriminators in image-size order: ${nets.map((n) => n.inputs[0]!.shape[1]).join(', ')}.`],
      type: `[${nets.map((n) => n.className).join(', ')}]`,
    },
    {
      kind: 'function',
      name: 'createDiscriminators',
      isExported: true,
      docs: [doc(oneWay ? `The one-way discriminator on the ${nets[0]!.inputs[0]!.shape[1]} px image.` : `One discriminator per image size: ${nets.map((n) => n.inputs[0]!.shape[1]).join(', ')} px.`, nets[0]!.origin)],
      returnType: 'Discriminators',
      statements: lines(`return [${nets.map((n) => `new ${n.className}()`).join(', ')}];`),
    },
  );
  return [...imports.declarations(), ...body];
}
