import type { Rule } from '../rule.js';

export const adversarialHeads: Rule = {
  code: 'ATTNC2013',
  name: 'adversarial-heads',
  description: 'an adversarial term can only use discriminator heads that exist; mismatched pairs need the conditional head',
  check(spec, ctx) {
    const d = spec.discriminators;
    spec.losses.forEach((loss, i) => {
      if (loss.type !== 'adversarial') return;
      for (const head of ['conditional', 'unconditional'] as const) {
        if (loss[head] && !d[head]) {
          ctx.report({ pointer: `/losses/${i}/${head}`, message: `the adversarial term uses the ${head} head, but \`discriminators.${head}\` is false`, help: `set \`discriminators.${head}: true\` or \`${head}: false\` here` });
        }
      }
      if (loss.mismatched && !loss.conditional) {
        ctx.report({ pointer: `/losses/${i}/mismatched`, message: 'mismatched pairs are judged by the conditional head, which this term does not use', help: 'set `conditional: true` or `mismatched: false`' });
      }
      if (!loss.conditional && !loss.unconditional) {
        ctx.report({ pointer: `/losses/${i}`, message: 'the adversarial term uses neither the conditional nor the unconditional head', help: 'enable at least one of `conditional` and `unconditional`' });
      }
    });
  },
};
