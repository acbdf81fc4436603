export { optimizeStep, clipByGlobalNorm, adam, type StepLoss, type StepOptions } from './step.js';
export { ParameterEma } from './ema.js';
