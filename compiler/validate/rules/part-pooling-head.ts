import type { Rule } from '../rule.js';

export const partPoolingHead: Rule = {
  code: 'ATTNC2022',
  name: 'part-pooling-head',
  description: "pooling: parts averages the region features under the part head's softmax, so the image encoder needs its part head (part_loss)",
  check(spec, ctx) {
    const enc = spec.image_encoder;
    if (enc.type !== 'cnn' || enc.pooling !== 'parts' || enc.part_loss) return;
    ctx.report({
      pointer: '/image_encoder/pooling',
      message: 'pooling: parts needs the part head that image_encoder.part_loss trains, and part_loss is null',
      help: 'add image_encoder.part_loss: { weight: 1 }, or use pooling: max',
    });
  },
};
