import * as tf from '@tensorflow/tfjs';
import { NativeAdamState, type AdamHyper } from '../backend/native-adam.js';

type NamedTensor = { name: string; tensor: tf.Tensor };
type Slot = { originalName: string; variable: tf.Variable };
/** AdamOptimizer's own state (private in its typings, plain fields at run time). */
type AdamState = {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
};

/** `native`: TensorFlow's fused Adam on the native backend (default); false keeps tfjs's ops everywhere. */
export type LeanAdamOptions = { native?: boolean };

/**
 * Adam (PyTorch's update, which is also tfjs's) without tfjs's memory and time overheads:
 *
 * - On the native backend, each variable's update is TensorFlow's fused `ResourceApplyAdam`
 *   (runtime/backend/native-adam.ts): one pass instead of ~14, the same numbers up to float
 *   rounding. The moments then live in TensorFlow resource variables; `getWeights` reads them and
 *   `setWeights` writes them, in AdamOptimizer's format, so checkpoints do not see a difference.
 * - Elsewhere (or with `native: false`), tfjs's Adam op for op (the same numbers, bit for bit), but
 *   freeing its temporaries as it goes. `tf.AdamOptimizer.applyGradients` runs every variable's
 *   update inside one `tidy`, so ~11 full-size temporaries per variable pile up until the last
 *   variable is done: for a birds D256 (72 M parameters) that is ~3 GB at the end of each D step.
 *   Here each variable's update holds at most three temporaries of its size.
 */
export class LeanAdamOptimizer extends tf.AdamOptimizer {
  private native: NativeAdamState | null | undefined;
  /** Moment reads handed out by `getWeights`, valid until the next update. */
  private lent: tf.Tensor[] = [];

  constructor(learningRate: number, beta1: number, beta2: number, epsilon: number, private readonly options: LeanAdamOptions = {}) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** The fused state, decided once (at the first update or restore) from the backend then active. */
  private nativeState(): NativeAdamState | null {
    if (this.native === undefined) this.native = this.options.native === false ? null : NativeAdamState.create();
    return this.native;
  }

  /** Whether updates run as TensorFlow's fused op (known after the first update or restore). */
  get fused(): boolean {
    return this.native != null;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const st = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const native = this.nativeState();
    if (native) {
      tf.dispose(this.lent.splice(0));
      // βᵗ from the step count in double precision, as PyTorch does: a resumed run then updates
      // exactly as an uninterrupted one (tfjs's running float32 product differs in the last bit).
      const t = this.iterations + 1;
      const h = { ...this.hyper(), beta1Power: this.beta1 ** t, beta2Power: this.beta2 ** t };
      names.forEach((name, i) => {
        const g = list ? (variableGradients as NamedTensor[])[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (g == null) return;
        native.apply(name, tf.engine().registeredVariables[name]!, g, h);
      });
      this.advance(st);
      return;
    }
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
    this.advance(st);
  }

  private hyper(): AdamHyper {
    return { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  private advance(st: AdamState): void {
    tf.tidy(() => {
      st.accBeta1.assign(tf.mul(st.accBeta1, this.beta1));
      st.accBeta2.assign(tf.mul(st.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /** AdamOptimizer's format: the step count, then every first moment, then every second moment. */
  override async getWeights(): Promise<NamedTensor[]> {
    const native = this.native;
    if (!native) return super.getWeights();
    tf.dispose(this.lent.splice(0));
    const names = native.names();
    const moments = names.map((n) => native.moments(n, this.hyper())!);
    this.lent = moments.flatMap((x) => [x.m, x.v]);
    return [
      await this.saveIterations(),
      ...names.map((n, i) => ({ name: `${n}/m`, tensor: moments[i]!.m })),
      ...names.map((n, i) => ({ name: `${n}/v`, tensor: moments[i]!.v })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    await super.setWeights(weightValues);
    const native = this.nativeState();
    if (!native) return;
    // AdamOptimizer made tfjs variables of the moments; the fused update keeps them in its own.
    const st = this as unknown as AdamState;
    st.accumulatedFirstMoment.forEach((slot, i) => {
      const name = slot.originalName.replace(/\/m$/, '');
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`Adam state for an unknown variable ${name}`);
      native.setMoments(name, variable, slot.variable, st.accumulatedSecondMoment[i]!.variable, this.hyper());
    });
    tf.dispose([...st.accumulatedFirstMoment, ...st.accumulatedSecondMoment].map((s) => s.variable));
    st.accumulatedFirstMoment = [];
    st.accumulatedSecondMoment = [];
  }

  override dispose(): void {
    super.dispose();
    tf.dispose(this.lent.splice(0));
    this.native?.dispose();
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
