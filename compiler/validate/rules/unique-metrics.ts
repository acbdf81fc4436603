import type { Rule } from '../rule.js';

export const uniqueMetrics: Rule = {
  code: 'ATTNC2019',
  name: 'unique-metrics',
  description: 'each evaluation metric appears once; R-precision folds divide its samples',
  check(spec, ctx) {
    const seen = new Map<string, number>();
    spec.evaluation.metrics.forEach((m, i) => {
      const j = seen.get(m.type);
      if (j !== undefined) ctx.report({ pointer: `/evaluation/metrics/${i}/type`, message: `metric \`${m.type}\` is listed twice (entries ${j} and ${i})`, help: 'keep one entry per metric' });
      else seen.set(m.type, i);
      if (m.type === 'r_precision' && m.samples % m.folds !== 0) {
        ctx.report({ pointer: `/evaluation/metrics/${i}/folds`, message: `${m.samples} samples do not split into ${m.folds} equal folds`, help: `use a sample count divisible by ${m.folds}` });
      }
    });
  },
};
