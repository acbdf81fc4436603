import type { Rule } from '../rule.js';

export const firstStageInit: Rule = {
  code: 'ATTNC2001',
  name: 'first-stage-init',
  description: 'the first generator stage is `init` (fc to 4x4 + upsampling) and no later stage is; a `fusion` stage (DF-GAN) is the only stage',
  check(spec, ctx) {
    const stages = spec.generator.stages;
    if (stages[0]?.type === 'fusion') {
      if (stages.length > 1) {
        ctx.report({ pointer: '/generator/stages/1', message: `a \`fusion\` generator (DF-GAN) is one stage, but ${stages.length} are listed`, help: 'remove the later stages: the fusion stage upsamples to its `size` itself' });
      }
      return;
    }
    stages.forEach((stage, i) => {
      if (i === 0 && stage.type !== 'init') {
        ctx.report({ pointer: '/generator/stages/0/type', message: `the first generator stage must be \`init\` (or a lone \`fusion\` stage), not \`${stage.type}\``, help: 'start `generator.stages` with `{ type: init, size: 64 }`' });
      } else if (i > 0 && stage.type === 'fusion') {
        ctx.report({ pointer: `/generator/stages/${i}/type`, message: `a \`fusion\` stage (DF-GAN's whole generator) cannot follow stage ${i - 1}`, help: 'make it the only stage, or use `attention`/`memory` refinement stages here' });
      } else if (i > 0 && stage.type === 'init') {
        ctx.report({ pointer: `/generator/stages/${i}/type`, message: `only the first generator stage may be \`init\` (stage ${i} is too)`, help: 'later stages refine the previous one, e.g. `{ type: attention, size: ..., residual_blocks: 2 }`' });
      }
    });
  },
};
