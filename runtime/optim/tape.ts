import * as tf from '@tensorflow/tfjs';
import { internalsEnabled, withTapePaused } from '../backend/tfjs-internals.js';

/**
 * Runs `fn` as if no gradient tape were recording: inside a `tf.grads`/`tf.variableGrads`
 * function, the ops of `fn` are not recorded by the enclosing tape (the tensors it reads are, in
 * effect, `.detach()`ed), and `fn` may take gradients of its own (a nested `tf.variableGrads`
 * starts and finishes its own tape instead of joining the enclosing one).
 *
 * Why: one GAN iteration runs the generator forward once under G's tape, steps the discriminators
 * on those fakes, then computes G's loss through the updated discriminators (trainer.py's order).
 * Recorded into G's tape, the D steps would keep every D activation, gradient and pre-update D
 * weight alive until G's backward (tfjs frees a tape's saved tensors only when the outermost
 * gradient finishes). tfjs has no public switch for this (backend/tfjs-internals.ts sets the tape
 * aside); on the portable paths `fn` is recorded like any other code: the same gradients, more
 * memory. test/runtime/optim/tape.test.ts pins the behaviour.
 *
 * Tensors in `fn`'s result (arrays and plain objects are searched) are `tf.keep`-ed, so they
 * survive the enclosing tape's forward scope.
 */
export function untaped<T>(fn: () => T): T {
  return internalsEnabled() ? withTapePaused(() => keepTensors(fn())) : keepTensors(fn());
}

/** `tf.keep` every tensor in `value` (a tensor, or arrays / plain objects of them). */
export function keepTensors<T>(value: T): T {
  const visit = (v: unknown): void => {
    if (v instanceof tf.Tensor) tf.keep(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
  };
  visit(value);
  return value;
}
