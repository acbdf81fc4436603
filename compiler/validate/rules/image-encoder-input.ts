import type { Rule } from '../rule.js';
import { damsmStageSize } from './util.js';

export const imageEncoderInput: Rule = {
  code: 'ATTNC2008',
  name: 'image-encoder-input',
  description: 'Inception-v3 expects 299 px input (at least 75); the small CNN reads the DAMSM stage\'s images at their own size',
  check(spec, ctx) {
    const enc = spec.image_encoder;
    if (enc.type === 'inception_v3') {
      if (enc.input_size < 75) {
        ctx.report({ pointer: '/image_encoder/input_size', message: `Inception-v3 cannot run on ${enc.input_size} px images (its stem and reductions need at least 75 px)`, help: 'use `input_size: 299`, as the original, or a `cnn` image encoder' });
      } else if (enc.input_size !== 299) {
        ctx.report({ severity: 'warning', pointer: '/image_encoder/input_size', message: `Inception-v3 features were trained at 299 px; ${enc.input_size} px changes the 17x17 region grid the DAMSM loss assumes`, help: 'use `input_size: 299` unless you retrain the image encoder' });
      }
      return;
    }
    const size = damsmStageSize(spec);
    if (size !== undefined && enc.input_size !== size) {
      ctx.report({
        pointer: '/image_encoder/input_size',
        message: `the CNN image encoder takes ${enc.input_size} px images, but the DAMSM loss feeds it the ${size} px stage`,
        help: `set \`image_encoder.input_size: ${size}\` or point the damsm loss at the stage of that size`,
      });
    }
  },
};
