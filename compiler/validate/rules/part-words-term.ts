import type { Rule } from '../rule.js';

export const partWordsTerm: Rule = {
  code: 'ATTNC2025',
  name: 'part-words-term',
  description: "`part_words` matches each colour word against the image encoder's feature of the part it names: it needs the encoder's part head (part_loss), and the synthetic birds' captions (their grammar says which part a word names)",
  check(spec, ctx) {
    spec.losses.forEach((l, i) => {
      if (l.type !== 'damsm' || !l.part_words) return;
      const pointer = `/losses/${i}/part_words`;
      const enc = spec.image_encoder;
      if (enc.type !== 'cnn' || !enc.part_loss) {
        ctx.report({
          pointer,
          message: `part_words needs the image encoder's part head, and ${enc.type !== 'cnn' ? `the ${enc.type} image encoder has none` : 'image_encoder.part_loss is null'}`,
          help: enc.type !== 'cnn' ? 'remove `part_words`, or use image_encoder.type: cnn with part_loss' : 'add image_encoder.part_loss: { weight: 1 }, or remove `part_words`',
        });
      } else if (spec.data.dataset.kind !== 'synthbirds') {
        ctx.report({
          pointer,
          message: `part_words needs to know which part each word names, which only data.dataset.kind synthbirds tells (this spec reads ${spec.data.dataset.kind})`,
          help: 'remove `part_words` for this dataset',
        });
      }
    });
  },
};
