export { TextEncoder, type TextEncoderOptions, type TextEncoderOutput, type RnnKind } from './text.js';
/** Same class under a name that does not shadow the global WHATWG `TextEncoder`. */
export { TextEncoder as RnnTextEncoder } from './text.js';
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
