export { optimizeStep, clipByGlobalNorm, adam, type StepLoss, type StepOptions } from './step.js';
export { ParameterEma } from './ema.js';
export { EncodeImageBy8Times } from './encode-image-by-8.js';
