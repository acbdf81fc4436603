import { discriminatorSizes } from '../../schema/derived.js';
import type { Rule } from '../rule.js';

export const spectralNormSizes: Rule = {
  code: 'ATTNC2023',
  name: 'spectral-norm-sizes',
  description: '`discriminators.spectral_norm` as a list names sizes that have an AttnGAN discriminator; the one-way discriminator has no spectral-norm option',
  check(spec, ctx) {
    const sn = spec.discriminators.spectral_norm;
    if (spec.discriminators.type === 'one_way') {
      if (sn !== false) {
        ctx.report({
          pointer: '/discriminators/spectral_norm',
          message: "DF-GAN's one-way discriminator has no spectral normalisation: `spectral_norm` applies to AttnGAN's discriminators only",
          help: 'remove `spectral_norm`, or set `discriminators.type: attngan`',
          notes: [`discriminators.type is set at ${ctx.where('/discriminators/type')}`],
        });
      }
      return;
    }
    if (typeof sn === 'boolean') return;
    const sizes = discriminatorSizes(spec);
    sn.forEach((size, i) => {
      if (sizes.includes(size)) return;
      ctx.report({
        pointer: `/discriminators/spectral_norm/${i}`,
        message: `no discriminator sees ${size}×${size} images: the discriminators are at ${sizes.join(', ')} px`,
        help: `list sizes among ${sizes.join(', ')}, or write \`true\` for all of them`,
      });
    });
  },
};
