import type { Rule } from '../rule.js';

export const initSize: Rule = {
  code: 'ATTNC2003',
  name: 'init-size',
  description: 'the init stage starts at 4x4 and doubles, so its size is 4 x 2^k (8, 16, 32, 64, …)',
  check(spec, ctx) {
    const first = spec.generator.stages[0];
    if (!first || first.type !== 'init') return;
    let s = first.size;
    while (s > 4 && s % 2 === 0) s /= 2;
    if (s !== 4) {
      const lower = 2 ** Math.floor(Math.log2(first.size));
      ctx.report({ pointer: '/generator/stages/0/size', message: `init stage size ${first.size} is not 4 x 2^k`, help: `use ${Math.max(8, lower)} or ${Math.max(8, lower * 2)}` });
    }
  },
};
