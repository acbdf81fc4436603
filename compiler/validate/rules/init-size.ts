import type { Rule } from '../rule.js';

export const initSize: Rule = {
  code: 'ATTNC2003',
  name: 'init-size',
  description: 'the init stage starts at 4x4 and doubles, so its size is 4 x 2^k (8, 16, 32, 64, …)',
  check(spec, ctx) {
    const first = spec.generator.stages[0];
    if (!first) return;
    if (first.type === 'fusion') {
      // Fusion blocks double from 4x4 and the channel plan needs log2(size) integral (get_G_in_out_chs).
      if (!Number.isInteger(Math.log2(first.size))) {
        const lower = 2 ** Math.floor(Math.log2(first.size));
        ctx.report({ pointer: '/generator/stages/0/size', message: `fusion stage size ${first.size} is not a power of two`, help: `use ${Math.max(8, lower)} or ${Math.max(8, lower * 2)}` });
      }
      return;
    }
    if (first.type !== 'init') return;
    let s = first.size;
    while (s > 4 && s % 2 === 0) s /= 2;
    if (s !== 4) {
      const lower = 2 ** Math.floor(Math.log2(first.size));
      ctx.report({ pointer: '/generator/stages/0/size', message: `init stage size ${first.size} is not 4 x 2^k`, help: `use ${Math.max(8, lower)} or ${Math.max(8, lower * 2)}` });
    }
  },
};
