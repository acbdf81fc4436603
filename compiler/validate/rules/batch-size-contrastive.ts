import type { Rule } from '../rule.js';

export const batchSizeContrastive: Rule = {
  code: 'ATTNC2009',
  name: 'batch-size-contrastive',
  description: 'DAMSM matches each caption against the other images of the batch and mismatched pairs shift captions by one: both need batch_size >= 2',
  check(spec, ctx) {
    const damsm = spec.losses.some((l) => l.type === 'damsm');
    const mismatched = spec.losses.some((l) => l.type === 'adversarial' && l.mismatched);
    if ((damsm || mismatched) && spec.train.gan.enabled && spec.train.gan.batch_size < 2) {
      ctx.report({
        pointer: '/train/gan/batch_size',
        message: `batch_size ${spec.train.gan.batch_size} is too small: ${damsm ? 'the DAMSM loss' : 'mismatched pairs'} need${damsm ? 's' : ''} at least 2 samples per batch`,
        help: 'use `batch_size: 2` or more',
      });
    }
    if (spec.train.damsm.enabled && spec.train.damsm.batch_size < 2) {
      ctx.report({ pointer: '/train/damsm/batch_size', message: `DAMSM pretraining with batch_size ${spec.train.damsm.batch_size} has no negatives to contrast against`, help: 'use `batch_size: 2` or more (the original uses 48)' });
    }
  },
};
