export { RnnTextEncoder, type TextEncoderOptions, type TextEncoderOutput, type RnnKind } from './text.js';
export {
  InceptionImageEncoder,
  CnnImageEncoder,
  type ImageEncoder,
  type ImageEncoderOutput,
  type InceptionImageEncoderOptions,
  type CnnImageEncoderOptions,
} from './image.js';
export { InceptionV3Trunk, BasicConv2d, type InceptionFeatures } from './inception.js';
export { ProjectionConv1x1, ProjectionLinear } from './heads.js';
