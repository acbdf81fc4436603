export { optimizeStep, readLosses, clipByGlobalNorm, adam, type Adam, type LossTensors, type StepLoss, type StepOptions } from './step.js';
export { ParameterEma } from './ema.js';
export { untaped, keepTensors } from './tape.js';
export { LeanAdamOptimizer, type AdamState } from './adam.js';
