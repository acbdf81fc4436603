import type { Rule } from '../rule.js';

export const negativeQueueTerm: Rule = {
  code: 'ATTNC2024',
  name: 'negative-queue-term',
  description: "`negative_queue` widens G's DAMSM term with earlier GAN batches' captions: it needs that term (lambda above 0) and a GAN phase",
  check(spec, ctx) {
    spec.losses.forEach((l, i) => {
      if (l.type !== 'damsm' || l.negative_queue === 0) return;
      if (l.lambda === 0) {
        ctx.report({
          pointer: `/losses/${i}/negative_queue`,
          message: `negative_queue ${l.negative_queue} has nothing to widen: with lambda 0 the generator's loss has no DAMSM term`,
          help: 'remove `negative_queue`, or give the term a weight (`lambda`)',
          notes: [`lambda is set at ${ctx.where(`/losses/${i}/lambda`)}`],
        });
      } else if (!spec.train.gan.enabled) {
        ctx.report({
          pointer: `/losses/${i}/negative_queue`,
          message: `negative_queue ${l.negative_queue} has no GAN phase to keep earlier captions in: train.gan is disabled`,
          help: 'remove `negative_queue`, or enable `train.gan`',
        });
      }
    });
  },
};
