import type { Rule } from '../rule.js';

export const damsmStageExists: Rule = {
  code: 'ATTNC2007',
  name: 'damsm-stage-exists',
  description: 'the DAMSM loss reads the image of an existing stage (with `heads: last`, only the last one exists)',
  check(spec, ctx) {
    const n = spec.generator.stages.length;
    spec.losses.forEach((loss, i) => {
      if (loss.type !== 'damsm' || loss.stage === 'last') return;
      const pointer = `/losses/${i}/stage`;
      if (loss.stage >= n) {
        ctx.report({ pointer, message: `DAMSM stage ${loss.stage} does not exist: the generator has ${n} stage${n === 1 ? '' : 's'} (0–${n - 1})`, help: 'use `stage: last` or an index below the stage count' });
      } else if (spec.generator.heads === 'last' && loss.stage !== n - 1) {
        ctx.report({ pointer, message: `DAMSM stage ${loss.stage} has no image: with \`heads: last\` only stage ${n - 1} emits one`, help: 'use `stage: last`' });
      }
    });
  },
};
