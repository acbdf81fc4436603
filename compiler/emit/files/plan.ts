/** plan.ts: the training plan (data, phase cadence, weights files, evaluation) as one typed constant. */
import { doc, fileScope, literal, type EmitContext } from '../context.js';
import type { Statement } from '../print.js';

export function emitPlan(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const TrainingPlan = imports.runtimeType('model/plan.js', 'TrainingPlan');
  const p = ctx.graph.plan;
  const d = doc(
    [
      `What \`attnc train\` runs for this model: data (${p.data.dataset.kind}, ${p.data.imageSizes.join('/')} px), the DAMSM phase${p.phases.damsm.enabled ? '' : ' (off)'}`,
      `and the GAN phase${p.phases.gan.enabled ? '' : ' (off)'} with their cadence, the weights files to load, and the evaluation protocol.`,
    ],
    { kind: 'file', file: p.specFile, line: 1, pointer: '' },
  );
  return [...imports.declarations(), { kind: 'const', name: 'plan', type: TrainingPlan, isExported: true, docs: [d], initializer: literal(p) }];
}
