import * as tf from '@tensorflow/tfjs';

/** The parts of a tfjs tape node this file touches (tfjs-core 4.x, engine.ts / tape.ts). */
type TapeNode = {
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
};

/**
 * Wraps a `tf.variableGrads`/`tf.grads` function so that its backward pass frees memory as it
 * goes, as PyTorch's autograd does. tfjs keeps every node's saved forward tensors and every
 * intermediate gradient alive until the whole backward pass ends (`backpropagateGradients` never
 * disposes a node's output gradients, and the tape's saved tensors are freed at the very end), so
 * a step's peak holds all activations plus all activation gradients at once. After `f` has run,
 * each node recorded by it gets a gradient function that, once every input's gradient has been
 * computed, disposes the node's output gradients (unless one was passed on as an input's gradient)
 * and its saved tensors. Nodes are processed in reverse order, so nothing reads them again.
 *
 * Only for a first-order gradient (no enclosing tape): higher-order gradients need the tape, and
 * there `f` is returned unchanged.
 */
export function leanBackprop<A extends unknown[], T>(f: (...args: A) => T): (...args: A) => T {
  const state = tf.engine().state as unknown as { gradientDepth: number; activeTape: TapeNode[] | null };
  if (state.gradientDepth > 0) return f;
  return (...args: A) => {
    // Runs inside the gradient call: depth 1, this call's tape.
    const tape = state.activeTape;
    const first = tape?.length ?? 0;
    const y = f(...args);
    if (tape && state.gradientDepth === 1) for (let i = first; i < tape.length; i++) wrapNode(tape[i]!);
    return y;
  };
}

function wrapNode(node: TapeNode): void {
  const gradient = node.gradient;
  if (!gradient) return;
  node.gradient = (dys) => {
    const fns = gradient(dys);
    const names = Object.keys(fns);
    const produced = new Set<tf.Tensor>();
    let pending = names.length;
    const release = () => {
      for (const dy of dys) if (dy && !produced.has(dy)) dy.dispose();
      for (const s of node.saved ?? []) s.dispose();
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
