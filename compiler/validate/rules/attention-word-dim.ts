import type { Rule } from '../rule.js';

export const attentionWordDim: Rule = {
  code: 'ATTNC2004',
  name: 'attention-word-dim',
  description: 'attention and memory stages read the text encoder\'s word features, so word_dim = text_encoder.hidden_dim',
  check(spec, ctx) {
    const out = spec.text_encoder.hidden_dim;
    spec.generator.stages.forEach((stage, i) => {
      if (stage.type !== 'attention' && stage.type !== 'memory') return;
      const [key, wordDim] = stage.type === 'attention' ? ['attention', stage.attention.word_dim] : ['memory', stage.memory.word_dim];
      if (wordDim !== out) {
        ctx.report({
          pointer: `/generator/stages/${i}/${key}/word_dim`,
          message: `stage ${i} ${stage.type === 'attention' ? 'attends to' : 'writes its memory from'} ${wordDim}-d words, but the text encoder outputs ${out}-d word features`,
          help: `set \`${key}: { word_dim: ${out} }\` on this stage (or change text_encoder.hidden_dim)`,
          notes: [`text_encoder.hidden_dim is set at ${ctx.where('/text_encoder/hidden_dim')}`],
        });
      }
    });
  },
};
