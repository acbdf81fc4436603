import type { Rule } from '../rule.js';

export const attentionWordDim: Rule = {
  code: 'ATTNC2004',
  name: 'attention-word-dim',
  description: 'attention stages attend to the text encoder\'s word features, so word_dim = text_encoder.hidden_dim',
  check(spec, ctx) {
    const out = spec.text_encoder.hidden_dim;
    spec.generator.stages.forEach((stage, i) => {
      if (stage.type === 'attention' && stage.attention.word_dim !== out) {
        ctx.report({
          pointer: `/generator/stages/${i}/attention/word_dim`,
          message: `stage ${i} attends to ${stage.attention.word_dim}-d words, but the text encoder outputs ${out}-d word features`,
          help: `set \`attention: { word_dim: ${out} }\` on this stage (or change text_encoder.hidden_dim)`,
          notes: [`text_encoder.hidden_dim is set at ${ctx.where('/text_encoder/hidden_dim')}`],
        });
      }
    });
  },
};
