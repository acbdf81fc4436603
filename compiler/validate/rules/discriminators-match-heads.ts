import type { Rule } from '../rule.js';

export const discriminatorsMatchHeads: Rule = {
  code: 'ATTNC2006',
  name: 'discriminators-match-heads',
  description: 'one discriminator per stage needs an image head on every stage; a single discriminator goes with `heads: last`',
  check(spec, ctx) {
    const { heads } = spec.generator;
    const { per_stage } = spec.discriminators;
    if (heads === 'last' && per_stage) {
      ctx.report({
        pointer: '/discriminators/per_stage',
        message: 'per-stage discriminators need an image at every stage, but the generator has only a last-stage head (`heads: last`)',
        help: 'set `discriminators.per_stage: false` (AttnDCGAN) or `generator.heads: all`',
        notes: [`generator.heads is set at ${ctx.where('/generator/heads')}`],
      });
    } else if (heads === 'all' && !per_stage && spec.generator.stages.length > 1) {
      ctx.report({
        pointer: '/discriminators/per_stage',
        message: `the generator emits an image at each of its ${spec.generator.stages.length} stages, but there is a single discriminator: the earlier images would get no adversarial signal`,
        help: 'set `discriminators.per_stage: true`, or `generator.heads: last` for the AttnDCGAN variant',
      });
    }
  },
};
