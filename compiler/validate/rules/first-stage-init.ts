import type { Rule } from '../rule.js';

export const firstStageInit: Rule = {
  code: 'ATTNC2001',
  name: 'first-stage-init',
  description: 'the first generator stage is `init` (fc to 4x4 + upsampling) and no later stage is',
  check(spec, ctx) {
    spec.generator.stages.forEach((stage, i) => {
      if (i === 0 && stage.type !== 'init') {
        ctx.report({ pointer: '/generator/stages/0/type', message: `the first generator stage must be \`init\`, not \`${stage.type}\``, help: 'start `generator.stages` with `{ type: init, size: 64 }`' });
      } else if (i > 0 && stage.type === 'init') {
        ctx.report({ pointer: `/generator/stages/${i}/type`, message: `only the first generator stage may be \`init\` (stage ${i} is too)`, help: 'later stages refine the previous one, e.g. `{ type: attention, size: ..., residual_blocks: 2 }`' });
      }
    });
  },
};
