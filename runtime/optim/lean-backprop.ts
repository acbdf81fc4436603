import type * as tf from '@tensorflow/tfjs';
import { activeScopeTrack, internalsEnabled, isKept, tapeState, withSaveHooks, type SaveHooks, type TapeNode } from '../backend/tfjs-internals.js';

/**
 * Wraps a `tf.variableGrads`/`tf.grads` function so that its backward pass frees memory as it
 * goes, as PyTorch's autograd does. tfjs keeps every node's saved forward tensors and every
 * intermediate gradient alive until the whole backward pass ends (`backpropagateGradients` never
 * disposes a node's output gradients, and the tape's saved tensors are freed at the very end), so
 * a step's peak holds all activations plus all activation gradients at once. After `f` has run,
 * each node recorded by it gets a gradient function that, once every input's gradient has been
 * computed, disposes the node's output gradients (unless one was passed on as an input's gradient),
 * its saved tensors, and the tensors its gradient function computed eagerly for its closures (e.g.
 * BatchNorm's x − mean and dy·γ, full-size). Nodes are processed in reverse order, so nothing reads
 * them again.
 *
 * "Every input" is the inputs of the node the engine actually walks: it prunes each node's inputs
 * to those on a path to the variables (a frozen conv weight gets no gradient), and calls the
 * gradient function as a method of that pruned copy, so `this.inputs` says which closures will run.
 *
 * Kernels whose gradient reads only the shapes of what they save (`SHAPE_ONLY`: tfjs's Add saves
 * both full-size inputs just to undo broadcasting) save shape-only stand-ins while `f` runs
 * instead of clones, so a conv → add(bias) → relu chain holds one activation per layer until the
 * backward pass instead of two.
 *
 * Only for a first-order gradient (no enclosing tape): higher-order gradients need the tape, and
 * there `f` is returned unchanged; so it is on the portable paths (backend/tfjs-internals.ts), where
 * tfjs's own backward pass runs.
 */
export function leanBackprop<A extends unknown[], T>(f: (...args: A) => T): (...args: A) => T {
  if (!internalsEnabled() || tapeState().depth > 0) return f;
  return (...args: A) => {
    // Runs inside the gradient call: depth 1, this call's tape.
    const { tape } = tapeState();
    const first = tape?.length ?? 0;
    const y = withShapeOnlySaves(() => f(...args));
    if (tape && tapeState().depth === 1) for (let i = first; i < tape.length; i++) wrapNode(tape[i]!);
    return y;
  };
}

/**
 * Kernels whose tfjs-core 4.x gradient function uses nothing of its saved tensors but `.shape`
 * (checked against gradients/*_grad.js): Add, Sub (broadcast reduction), Reshape, ExpandDims, PadV2,
 * Slice, Concat, Mean, Sum. `test/runtime/optim/lean-backprop.test.ts` pins their gradients.
 */
const SHAPE_ONLY = new Set(['Add', 'Sub', 'Reshape', 'ExpandDims', 'PadV2', 'Slice', 'Concat', 'Mean', 'Sum']);

/** Runs `f` with shape-only kernels saving stand-ins rather than clones (the hooks are restored after). */
function withShapeOnlySaves<T>(f: () => T): T {
  let shapeOnly = false;
  return withSaveHooks(
    (original): SaveHooks => ({
      getTensorsForGradient(kernelName, inputs, outputs) {
        shapeOnly = SHAPE_ONLY.has(kernelName);
        return original.getTensorsForGradient(kernelName, inputs, outputs);
      },
      saveTensorsForBackwardMode(tensors) {
        if (!shapeOnly) return original.saveTensorsForBackwardMode(tensors);
        shapeOnly = false;
        return tensors.map(shapeOf);
      },
    }),
    f,
  );
}

/** What a shape-only gradient reads of a saved tensor, and a `dispose` for the engine's clean-up. */
function shapeOf(t: tf.Tensor): tf.Tensor {
  const { shape, rank, dtype, size } = t;
  return { shape, rank, dtype, size, dispose: () => {} } as unknown as tf.Tensor;
}

function wrapNode(node: TapeNode): void {
  const gradient = node.gradient;
  if (!gradient) return;
  node.gradient = function (this: TapeNode | undefined, dys) {
    const track = activeScopeTrack();
    const start = track?.length ?? 0;
    const fns = gradient(dys);
    const eager = track ? track.slice(start) : [];
    const walked = this && this.inputs ? this.inputs : node.inputs;
    const names = Object.keys(fns).filter((n) => n in walked);
    const produced = new Set<tf.Tensor>();
    let pending = names.length;
    const release = () => {
      for (const dy of dys) if (dy && !produced.has(dy)) dy.dispose();
      for (const s of node.saved ?? []) s.dispose();
      for (const t of eager) if (!produced.has(t) && !isKept(t)) t.dispose();
    };
    const wrapped: Record<string, () => tf.Tensor> = {};
    for (const name of names) {
      wrapped[name] = () => {
        const dx = fns[name]!();
        produced.add(dx);
        if (--pending === 0) release();
        return dx;
      };
    }
    if (pending === 0) release();
    return wrapped;
  };
}
