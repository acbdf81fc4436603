import type { Rule } from '../rule.js';

export const cnnLocalSize: Rule = {
  code: 'ATTNC2018',
  name: 'cnn-local-size',
  description: 'the small CNN halves its input until the local feature map: input_size / local_size is a power of two >= 2',
  check(spec, ctx) {
    const enc = spec.image_encoder;
    if (enc.type !== 'cnn') return;
    const ratio = enc.input_size / enc.local_size;
    if (!Number.isInteger(ratio) || ratio < 2 || (ratio & (ratio - 1)) !== 0) {
      ctx.report({ pointer: '/image_encoder/local_size', message: `local_size ${enc.local_size} cannot be reached from ${enc.input_size} px by halving`, help: `use a local_size such as ${Math.max(2, enc.input_size / 8)} (input_size / 2^k)` });
    }
  },
};
