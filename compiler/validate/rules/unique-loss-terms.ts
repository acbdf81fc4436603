import type { Rule } from '../rule.js';

export const uniqueLossTerms: Rule = {
  code: 'ATTNC2014',
  name: 'unique-loss-terms',
  description: 'each loss type appears at most once (weights live inside the term)',
  check(spec, ctx) {
    const first = new Map<string, number>();
    spec.losses.forEach((loss, i) => {
      const j = first.get(loss.type);
      if (j === undefined) { first.set(loss.type, i); return; }
      ctx.report({ pointer: `/losses/${i}/type`, message: `loss \`${loss.type}\` is listed twice (terms ${j} and ${i})`, help: 'merge them into one term; set its weights there', notes: [`the first one is at ${ctx.where(`/losses/${j}`)}`] });
    });
  },
};
