import type { Rule } from '../rule.js';

export const encodersAvailable: Rule = {
  code: 'ATTNC2017',
  name: 'encoders-available',
  description: 'the GAN needs trained text and image encoders: from weights files or from the DAMSM phase',
  check(spec, ctx) {
    if (spec.train.damsm.enabled) {
      const enc = spec.image_encoder;
      if (enc.type === 'inception_v3' && enc.weights === null && enc.trunk_weights === null) {
        ctx.report({ severity: 'warning', pointer: '/image_encoder', at: 'key', message: 'DAMSM pretraining will train projections on a randomly initialised Inception trunk', help: 'set `image_encoder.trunk_weights` to ImageNet Inception-v3 weights' });
      }
      return;
    }
    for (const which of ['text_encoder', 'image_encoder'] as const) {
      if (spec[which].weights === null) {
        ctx.report({
          pointer: `/${which}/weights`, at: 'key',
          message: `\`${which}\` has no weights and DAMSM pretraining is disabled, so the GAN would use an untrained ${which.replace('_', ' ')}`,
          help: `set \`${which}.weights\` or \`train.damsm.enabled: true\``,
          notes: [`train.damsm.enabled is set at ${ctx.where('/train/damsm/enabled')}`],
        });
      }
    }
  },
};
