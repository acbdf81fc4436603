/**
 * generator.ts of a `fusion` generator (DF-GAN's NetG): the fc, the fusion up-blocks and `to_rgb`
 * written out under the official state_dict names, so the channel plan reads off the class.
 */
import { shapeText, modulesOf, moduleOf, type Network } from '../../lower/graph.js';
import { count, doc, lines, type EmitContext, typeAlias } from '../context.js';
import type { ImportTable } from '../imports.js';
import type { PropertyDecl, Statement } from '../print.js';

const prop = (name: string, initializer: string, comment?: string): PropertyDecl => ({
  name,
  isReadonly: true,
  initializer,
  ...(comment ? { trailingTrivia: ` // ${comment}` } : {}),
});

export function emitFusionGenerator(_ctx: EmitContext, net: Network, imports: ImportTable): Statement[] {
  const tf = imports.tf();
  const blocks = (name: string) => imports.runtime('blocks/index.js', name);
  const nn = (name: string) => imports.runtime('nn/index.js', name);
  const fc = moduleOf(net, 'fc', 'linear');
  const ups = modulesOf(net, 'fusion_up_block');
  const rgb = moduleOf(net, 'to_rgb', 'rgb_head');
  const nf8 = fc.outputs[0]!.shape[3] as number;
  const condDim = ups[0]!.config.condDim;
  const image = rgb.outputs[0]!;

  const props: PropertyDecl[] = [prop('fc', `this.addModule('fc', new ${nn('Linear')}({ inFeatures: ${fc.config.inFeatures}, outFeatures: ${fc.config.outFeatures}, bias: true }))`, `z → 4×4×${nf8}`)];
  ups.forEach((m, k) => {
    const c = m.config;
    props.push(prop(`block${k}`, `new ${blocks('FusionUpBlock')}({ condDim: ${c.condDim}, inChannels: ${c.inChannels}, outChannels: ${c.outChannels} })`, shapeText(m.outputs[0]!.shape)));
  });
  props.push(
    prop('GBlocks', `this.addModule('GBlocks', new ${nn('Sequential')}({ ${ups.map((_, k) => `${k}: this.block${k}`).join(', ')} }))`, 'state_dict keys GBlocks.<i>.*'),
    prop('rgb', `new ${nn('Conv2d')}({ inChannels: ${rgb.config.channels}, outChannels: 3, kernel: 3, padding: 1, bias: true })`, shapeText(image.shape)),
    prop('to_rgb', `this.addModule('to_rgb', new ${nn('Sequential')}({ 1: this.rgb }))`, 'state_dict keys to_rgb.1.* (to_rgb.0 is the LeakyReLU)'),
  );
  const steps = ups.map((m, k) => `  h = this.block${k}.apply(h, cond); // ${shapeText(m.outputs[0]!.shape)}`);
  return [
    typeAlias('GeneratorInputs', 'What one generator forward pass takes.', [
      `/** Noise ${shapeText(net.inputs[0]!.shape)}. */`,
      `z: ${tf}.Tensor2D;`,
      `/** Sentence embedding ${shapeText(net.inputs[1]!.shape)}. */`,
      `sentence: ${tf}.Tensor2D;`,
      '/** Unused (the network has no BatchNorm and no dropout); kept so every generator is called alike. */',
      'training: boolean;',
    ]),
    typeAlias('GeneratorOutputs', 'What one generator forward pass returns.', [
      `/** ${shapeText(image.shape)} in [−1, 1]. */`,
      `images: [${tf}.Tensor4D];`,
      '/** No attention: the sentence reaches every block through the affine fusions. */',
      'attn: [];',
    ]),
    {
      kind: 'class',
      name: 'Generator',
      isExported: true,
      extends: nn('Module'),
      docs: [
        doc(
          [
            `The generator (DF-GAN's \`NetG\`): fc from z to 4×4×${nf8}, ${ups.length} fusion up-blocks conditioned on [z, sentence] (${condDim}-d),`,
            `then LeakyReLU, a 3×3 conv and tanh at ${image.shape[1]}×${image.shape[2]}. ${count(net.paramCount)} parameters.`,
          ],
          net.origin,
        ),
      ],
      properties: props,
      methods: [
        {
          name: 'resetToIdentity',
          docs: ["Every Affine's second layers to the identity map (γ = 1, β = 0), as the official `Affine._initialize`; createModel calls it after the init draws."],
          parameters: [],
          returnType: 'void',
          statements: lines(`for (const b of [${ups.map((_, k) => `this.block${k}`).join(', ')}]) b.resetToIdentity();`),
        },
        {
          name: 'apply',
          docs: [`z ${shapeText(net.inputs[0]!.shape)}, sentence ${shapeText(net.inputs[1]!.shape)} → image ${shapeText(image.shape)}`],
          parameters: [{ name: 'input', type: 'GeneratorInputs' }],
          returnType: 'GeneratorOutputs',
          statements: lines(
            `return ${tf}.tidy(() => {`,
            `  const b = input.z.shape[0];`,
            '  // PyTorch\'s view(B, C, 4, 4) is channels first: reshape so, then NHWC (.pth weights load unpermuted).',
            `  let h = ${tf}.transpose(${tf}.reshape(this.fc.apply(input.z), [b, ${nf8}, 4, 4]), [0, 2, 3, 1]) as ${tf}.Tensor4D; // ${shapeText(fc.outputs[0]!.shape)}`,
            `  const cond = ${tf}.concat([input.z, input.sentence], 1) as ${tf}.Tensor2D; // ${shapeText(['B', condDim])}`,
            ...steps,
            `  const image = ${tf}.tanh(this.rgb.apply(${tf}.leakyRelu(h, 0.2))) as ${tf}.Tensor4D; // ${shapeText(image.shape)}`,
            '  return { images: [image], attn: [] };',
            '});',
          ),
        },
      ],
    },
  ];
}
