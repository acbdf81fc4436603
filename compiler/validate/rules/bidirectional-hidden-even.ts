import type { Rule } from '../rule.js';

export const bidirectionalHiddenEven: Rule = {
  code: 'ATTNC2011',
  name: 'bidirectional-hidden-even',
  description: 'a bidirectional RNN splits hidden_dim between its two directions, so it must be even',
  check(spec, ctx) {
    const t = spec.text_encoder;
    if (t.bidirectional && t.hidden_dim % 2 !== 0) {
      ctx.report({ pointer: '/text_encoder/hidden_dim', message: `hidden_dim ${t.hidden_dim} cannot be split over two directions`, help: `use ${t.hidden_dim + 1} (${(t.hidden_dim + 1) / 2} per direction) or \`bidirectional: false\`` });
    }
  },
};
