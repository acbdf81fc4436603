import type { Rule } from '../rule.js';

export const stageSizesDouble: Rule = {
  code: 'ATTNC2002',
  name: 'stage-sizes-double',
  description: 'each stage upsamples x2, so its size is twice the previous stage\'s',
  check(spec, ctx) {
    const stages = spec.generator.stages;
    for (let i = 1; i < stages.length; i++) {
      const want = stages[i - 1]!.size * 2;
      if (stages[i]!.size !== want) {
        ctx.report({
          pointer: `/generator/stages/${i}/size`,
          message: `stage ${i} has size ${stages[i]!.size}, but every stage doubles the previous one (${stages[i - 1]!.size} → ${want})`,
          help: `set \`size: ${want}\``,
          notes: [`stage ${i - 1} size is set at ${ctx.where(`/generator/stages/${i - 1}/size`)}`],
        });
      }
    }
  },
};
