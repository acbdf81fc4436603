import type { Rule } from '../rule.js';

export const imageEncoderEmbedding: Rule = {
  code: 'ATTNC2005',
  name: 'image-encoder-embedding',
  description: 'DAMSM compares image and text features by cosine, so image_encoder.embedding_dim = text_encoder.hidden_dim',
  check(spec, ctx) {
    const text = spec.text_encoder.hidden_dim;
    if (spec.image_encoder.embedding_dim !== text) {
      ctx.report({
        pointer: '/image_encoder/embedding_dim',
        message: `image features are ${spec.image_encoder.embedding_dim}-d but text features are ${text}-d; DAMSM needs them equal`,
        help: `set \`image_encoder.embedding_dim: ${text}\``,
        notes: [`text_encoder.hidden_dim is set at ${ctx.where('/text_encoder/hidden_dim')}`],
      });
    }
  },
};
