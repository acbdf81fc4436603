import type { Rule } from '../rule.js';

export const lossRequirements: Rule = {
  code: 'ATTNC2015',
  name: 'loss-requirements',
  description: 'a GAN needs an adversarial (or hinge) term; the KL term regularises conditioning augmentation and needs it',
  check(spec, ctx) {
    const types = spec.losses.map((l) => l.type);
    if (!types.includes('adversarial') && !types.includes('hinge')) {
      ctx.report({ pointer: '/losses', at: 'key', message: 'the loss list has no `adversarial` term', help: 'add `- { type: adversarial, conditional: true, unconditional: true, mismatched: true }`' });
    }
    const kl = types.indexOf('kl');
    if (kl >= 0 && !spec.generator.conditioning_augmentation) {
      ctx.report({ pointer: `/losses/${kl}`, message: 'a `kl` term needs conditioning augmentation, which is off', help: 'remove the kl term or set `generator.conditioning_augmentation: true`' });
    }
    if (kl < 0 && spec.generator.conditioning_augmentation) {
      ctx.report({ severity: 'warning', pointer: '/losses', at: 'key', message: 'conditioning augmentation without a `kl` term: mu/logvar are unregularised', help: 'add `- { type: kl, weight: 1 }`' });
    }
  },
};
