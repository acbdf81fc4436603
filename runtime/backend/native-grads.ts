/**
 * ReLU and LeakyReLU gradients as TensorFlow's own one-pass kernels (`ReluGrad`, `LeakyReluGrad`)
 * on the native backend. tfjs-core's gradients take three passes over the activation each
 * (`step → cast → mul`, `greater → mul → where`); a GAN iteration of the birds model runs ~160 of
 * them (Inception's ReLUs in G's DAMSM term, the discriminators' LeakyReLUs). Other backends keep
 * tfjs-core's formulas.
 * Both gradients read the activation's output rather than its input (see below).
 */
import * as tf from '@tensorflow/tfjs';
import { fastPathEnabled } from './fast-paths.js';
import { asNativeBackend, installGradientOverrides, internalsEnabled, removeGradientOverrides, type NativeBackend } from './tfjs-internals.js';

const RELU_GRAD = 'AttncReluGrad';
const LEAKY_RELU_GRAD = 'AttncLeakyReluGrad';
let kernelsRegistered = false;

/** The two gradient kernels (new kernel names: registering them changes nothing of tfjs's own). */
function registerGradKernels(): void {
  if (kernelsRegistered) return;
  kernelsRegistered = true;
  const floatAttr = (b: NativeBackend) => ({ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT });
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const b = asNativeBackend(backend);
      return b.executeSingleOutput('ReluGrad', [floatAttr(b)], [inputs.dy!, inputs.x!]);
    },
  });
  tf.registerKernel({
    kernelName: LEAKY_RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = asNativeBackend(backend);
      const alpha = { name: 'alpha', type: b.binding.TF_ATTR_FLOAT, value: (attrs as { alpha: number }).alpha };
      return b.executeSingleOutput('LeakyReluGrad', [floatAttr(b), alpha], [inputs.dy!, inputs.x!]);
    },
  });
  // Second order (rare): d/d(dy) of f'(x)·dy is f'(x)·(·), and the mask has no gradient in x.
  tf.registerGradient({
    kernelName: RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved) => ({ dy: () => reluGrad(ddx as tf.Tensor, saved[0]!), x: () => tf.zerosLike(saved[0]!) }),
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => ({
      dy: () => leakyReluGrad(ddx as tf.Tensor, saved[0]!, (attrs as { alpha: number }).alpha),
      x: () => tf.zerosLike(saved[0]!),
    }),
  });
}

/**
 * Replaces tfjs's ReLU and LeakyReLU gradients (process-wide; tfjs's gradient registry is global)
 * until `removeNativeGradients`. Installed by backend/index.ts when it selects the native backend,
 * removed when it selects another; not installed on the portable paths (`ATTNC_PORTABLE=1`).
 */
export function installNativeGradients(): boolean {
  if (!internalsEnabled()) return false;
  registerGradKernels();
  // Both save their output, not their input: y > 0 exactly where x > 0 (for a slope α ≥ 0), and
  // the output is usually saved anyway by the next op (a conv's input), so the pre-activation is
  // freed — one activation per conv → BN → ReLU layer instead of two (TensorFlow's own ReluGrad
  // gradient is taken from the output the same way).
  installGradientOverrides([
    {
      kernelName: tf.Relu,
      outputsToSave: [true],
      gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0]!) }),
    },
    {
      kernelName: tf.LeakyRelu,
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const { alpha } = attrs as { alpha: number };
        if (!(alpha >= 0)) throw new Error(`LeakyReLU gradient: slope ${alpha} < 0 is not supported (the gradient is taken from the output, whose sign must follow the input's)`);
        return { x: () => leakyReluGrad(dy as tf.Tensor, saved[0]!, alpha) };
      },
    },
  ]);
  return true;
}

/** tfjs's own ReLU and LeakyReLU gradients again. */
export function removeNativeGradients(): void {
  removeGradientOverrides();
}

function native(x: tf.Tensor): boolean {
  return tf.getBackend() === 'tensorflow' && x.dtype === 'float32' && fastPathEnabled('activation-grads');
}

/** dy where the activation is positive; `x` may be the input or the output (same sign pattern). */
function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (!native(x)) return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
  return tf.engine().runKernel(RELU_GRAD, { dy, x } as unknown as tf.NamedTensorMap) as tf.Tensor;
}

function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (!native(x)) return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x } as unknown as tf.NamedTensorMap, { alpha } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
