/** discriminators.ts: one class per discriminator, composing the runtime's D blocks and heads. */
import { StructureKind, type ClassDeclarationStructure, type PropertyDeclarationStructure } from 'ts-morph';
import type { ModuleNode } from '../../lower/graph.js';
import { count, discriminators, doc, fileScope, lines, sh, type EmitContext } from '../context.js';
import type { Statement } from '../print.js';

export function emitDiscriminators(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const tf = imports.tf();
  const Module = imports.runtime('nn/index.js', 'Module');
  const d = (name: string) => imports.runtime('discriminators/index.js', name);
  const body: Statement[] = [];
  const nets = discriminators(ctx);
  for (const net of nets) {
    const props: PropertyDeclarationStructure[] = [];
    const steps: string[] = [];
    let first = true;
    let heads = '';
    const add = (m: ModuleNode, ctor: string) => {
      props.push({ kind: StructureKind.Property, name: m.id, isReadonly: true, initializer: `this.addModule('${m.id}', ${ctor})`, trailingTrivia: ` // ${sh(m.outputs[0]!.shape)}` });
    };
    for (const m of net.modules) {
      const c = m.config as Record<string, number>;
      switch (m.kind) {
        case 'encode_image_by_16':
          add(m, `new ${d('EncodeImageBy16Times')}({ ndf: ${c.ndf} })`);
          break;
        case 'encode_image_by_8':
          add(m, `new ${imports.runtime('discriminators/index.js', 'EncodeImageBy8Times')}({ ndf: ${c.ndf} })`);
          break;
        case 'down_block':
          add(m, `new ${d('DownBlock')}({ inChannels: ${c.inChannels}, outChannels: ${c.outChannels} })`);
          break;
        case 'block3x3_leaky':
          add(m, `new ${d('Block3x3LeakRelu')}({ inChannels: ${c.inChannels}, outChannels: ${c.outChannels} })`);
          break;
        case 'uncond_logits':
          add(m, `new ${d('UncondLogits')}({ ndf: ${c.ndf} })`);
          heads += 'uncond';
          continue;
        case 'cond_logits':
          add(m, `new ${d('CondLogits')}({ ndf: ${c.ndf}, nef: ${c.nef} })`);
          heads += 'cond';
          continue;
        default:
          throw new Error(`compiler bug: ${m.kind} in a discriminator`);
      }
      steps.push(`  ${first ? 'let h = ' : 'h = '}this.${m.id}.apply(${first ? 'image' : 'h'}, training); // ${sh(m.outputs[0]!.shape)}`);
      first = false;
    }
    void heads;
    // A single block: no reassignment, so `const` (and return it directly).
    if (steps.length === 1) steps[0] = steps[0]!.replace('let h = ', 'const h = ');
    const size = net.inputs[0]!.shape[1];
    const cls: ClassDeclarationStructure = {
      kind: StructureKind.Class,
      name: net.className,
      isExported: true,
      extends: Module,
      docs: [doc([`Discriminator for ${size}×${size} images (\`D_NET${size}\`): image code to 4×4, then the logits heads. ${count(net.paramCount)} parameters.`], net.origin)],
      properties: [{ kind: StructureKind.Property, name: 'size', isReadonly: true, initializer: String(size) }, ...props],
      methods: [
        {
          name: 'code',
          docs: [`image ${sh(net.inputs[0]!.shape)} → code ${sh(net.outputs[0]!.shape)} (what both heads read)`],
          parameters: [
            { name: 'image', type: `${tf}.Tensor4D` },
            { name: 'training', type: 'boolean' },
          ],
          returnType: `${tf}.Tensor4D`,
          statements: lines(`return ${tf}.tidy(() => {`, ...steps, '  return h;', '});'),
        },
      ],
    };
    body.push(cls);
  }
  body.push(
    { kind: StructureKind.TypeAlias, name: 'StageDiscriminator', isExported: true, docs: ['Any of this model\'s discriminators.'], type: nets.map((n) => n.className).join(' | ') },
    {
      kind: StructureKind.TypeAlias,
      name: 'Discriminators',
      isExported: true,
      docs: [`The discriminators in image-size order: ${nets.map((n) => n.inputs[0]!.shape[1]).join(', ')}.`],
      type: `[${nets.map((n) => n.className).join(', ')}]`,
    },
    {
      kind: StructureKind.Function,
      name: 'createDiscriminators',
      isExported: true,
      docs: [doc(`One discriminator per image size: ${nets.map((n) => n.inputs[0]!.shape[1]).join(', ')} px.`, nets[0]!.origin)],
      returnType: 'Discriminators',
      statements: lines(`return [${nets.map((n) => `new ${n.className}()`).join(', ')}];`),
    },
  );
  return [...imports.declarations(), ...body];
}
