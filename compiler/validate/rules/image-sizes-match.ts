import type { Rule } from '../rule.js';

export const imageSizesMatch: Rule = {
  code: 'ATTNC2012',
  name: 'image-sizes-match',
  description: 'data.image_sizes (when written) lists the generator\'s output sizes: every stage, or the last with `heads: last`',
  check(spec, ctx) {
    const sizes = spec.generator.stages.map((s) => s.size);
    const want = spec.generator.heads === 'last' ? sizes.slice(-1) : sizes;
    const got = spec.data.image_sizes;
    if (got.length !== want.length || got.some((s, i) => s !== want[i])) {
      ctx.report({
        pointer: '/data/image_sizes',
        message: `data.image_sizes [${got.join(', ')}] does not match the generator's images [${want.join(', ')}]`,
        help: 'remove `image_sizes` (it is derived from generator.stages) or make the lists equal',
      });
    }
  },
};
