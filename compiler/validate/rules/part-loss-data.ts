import type { Rule } from '../rule.js';

export const partLossData: Rule = {
  code: 'ATTNC2021',
  name: 'part-loss-data',
  description: "the image encoder's part loss learns from rendered part masks, which only the synthetic birds have",
  check(spec, ctx) {
    const enc = spec.image_encoder;
    if (enc.type !== 'cnn' || !enc.part_loss) return;
    const kind = spec.data.dataset.kind;
    if (kind !== 'synthbirds') {
      ctx.report({
        pointer: '/image_encoder/part_loss',
        message: `part_loss needs part masks, which only data.dataset.kind synthbirds renders (this spec reads ${kind})`,
        help: 'set image_encoder.part_loss: null for this dataset',
      });
    }
  },
};
