import * as tf from '@tensorflow/tfjs';

type NamedTensor = { name: string; tensor: tf.Tensor };
type Slot = { originalName: string; variable: tf.Variable };
/** AdamOptimizer's own state (private in its typings, plain fields at run time). */
type AdamState = {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
};

/**
 * tfjs's Adam with the same update, op for op (so the same numbers), but freeing its
 * temporaries as it goes. `tf.AdamOptimizer.applyGradients` runs every variable's update inside one
 * `tidy`, so ~11 full-size temporaries per variable pile up until the last variable is done: for a
 * birds D256 (72 M parameters) that is ~3 GB at the end of each D step, the largest term of a GAN
 * iteration's peak memory. Here each variable's update holds at most three temporaries of its
 * size. Moments, `getWeights`/`setWeights` and the class name are AdamOptimizer's, so checkpoints
 * do not see a difference.
 */
export class LeanAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const st = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const [oneMinusAccBeta1, oneMinusAccBeta2] = tf.tidy(() => [tf.sub(1, st.accBeta1), tf.sub(1, st.accBeta2)]);
    const lr = this.learningRate;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name]!;
      st.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      st.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const g = list ? (variableGradients as NamedTensor[])[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
      if (g == null) return;
      const m = st.accumulatedFirstMoment[i]!.variable;
      const v = st.accumulatedSecondMoment[i]!.variable;
      // The tidy only collects the scalar constants; full-size temporaries are disposed eagerly.
      tf.tidy(() => {
        // Each line disposes what it consumed, and each moment is assigned as soon as it exists so
        // its old buffer goes before the next full-size temporary is made. The same ops on the
        // same values as AdamOptimizer (bit-identical: adam.test.ts).
        const newM = binary(tf.mul(m, b1), tf.mul(g, 1 - b1), tf.add);
        m.assign(newM);
        newM.dispose();
        const newV = binary(tf.mul(v, b2), unary(tf.square(g), (x) => tf.mul(x, 1 - b2)), tf.add);
        v.assign(newV);
        newV.dispose();
        const denom = unary(unary(tf.div(v, oneMinusAccBeta2), tf.sqrt), (x) => tf.add(x, eps));
        const step = unary(binary(tf.div(m, oneMinusAccBeta1), denom, tf.div), (x) => tf.mul(x, -lr));
        const newValue = tf.add(step, value);
        step.dispose();
        value.assign(newValue);
        newValue.dispose();
      });
    });
    tf.dispose([oneMinusAccBeta1, oneMinusAccBeta2]);
    tf.tidy(() => {
      st.accBeta1.assign(tf.mul(st.accBeta1, b1));
      st.accBeta2.assign(tf.mul(st.accBeta2, b2));
    });
    this.incrementIterations();
  }
}

function unary(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const y = f(x);
  x.dispose();
  return y;
}

function binary(a: tf.Tensor, b: tf.Tensor, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  const y = f(a, b);
  a.dispose();
  b.dispose();
  return y;
}
