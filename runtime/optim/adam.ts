import * as tf from '@tensorflow/tfjs';
import { momentScale, NativeAdamState, type AdamHyper } from '../backend/native-adam.js';
import { adamInternals, internalsEnabled, registeredVariable, type AdamInternals } from '../backend/tfjs-internals.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * An Adam's whole state, as checkpoints keep it: the step count, the learning rate, and the two
 * moments of every variable it has updated, as the update keeps them — PyTorch's moments times
 * `scale` (1 except on the fused path, see backend/native-adam.ts) — so that restoring it gives
 * back the very bits the run had. Tensors are lent: valid until the optimizer's next update.
 */
export interface AdamState {
  iterations: number;
  lr: number;
  moments: Array<{ variable: string; m: tf.Tensor; v: tf.Tensor }>;
  scale: { m: number; v: number };
  /** β₁ᵗ and β₂ᵗ as tfjs's arithmetic keeps them (running float32 products; the portable path reads them). */
  betaPowers?: [number, number];
}

/** `native`: TensorFlow's fused Adam on the native backend (default); false keeps tfjs's ops everywhere. */
export type LeanAdamOptions = { native?: boolean };

/**
 * Adam (PyTorch's update, which is also tfjs's) without tfjs's memory and time overheads:
 *
 * - On the native backend, each variable's update is TensorFlow's fused `ResourceApplyAdam`
 *   (runtime/backend/native-adam.ts): one pass instead of ~14, the same numbers up to float
 *   rounding. The moments then live in TensorFlow resource variables; `exportState`/`importState`
 *   save and restore them bit for bit (checkpoints), `getWeights`/`setWeights` in AdamOptimizer's
 *   format (PyTorch scale).
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

  /** The learning rate (protected in tfjs's typings; schedules and checkpoints set it). */
  get lr(): number {
    return this.learningRate;
  }

  set lr(value: number) {
    this.learningRate = value;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    // An untested tfjs (or ATTNC_PORTABLE=1): tfjs's own Adam, no private state touched.
    if (!internalsEnabled()) return super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    const st = adamInternals(this);
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
        native.apply(name, registeredVariable(name)!, g, h);
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
      const value = registeredVariable(name)!;
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

  private advance(st: AdamInternals): void {
    tf.tidy(() => {
      st.accBeta1.assign(tf.mul(st.accBeta1, this.beta1));
      st.accBeta2.assign(tf.mul(st.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /** AdamOptimizer's format (PyTorch-scale moments): the step count, every first moment, every second moment. */
  override async getWeights(): Promise<NamedTensor[]> {
    const native = this.native;
    if (!native) return super.getWeights();
    tf.dispose(this.lent.splice(0));
    const names = native.names();
    const h = this.hyper();
    const moments = names.map((n) => {
      const raw = native.moments(n)!;
      const m = tf.div(raw.m, momentScale(h.beta1));
      const v = tf.div(raw.v, momentScale(h.beta2));
      tf.dispose([raw.m, raw.v]);
      return { m, v };
    });
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
    const st = adamInternals(this);
    st.accumulatedFirstMoment.forEach((slot, i) => {
      const name = slot.originalName.replace(/\/m$/, '');
      const variable = registeredVariable(name);
      if (!variable) throw new Error(`Adam state for an unknown variable ${name}`);
      native.setMoments(name, variable, slot.variable, st.accumulatedSecondMoment[i]!.variable, this.hyper(), { m: 1, v: 1 });
    });
    tf.dispose([...st.accumulatedFirstMoment, ...st.accumulatedSecondMoment].map((s) => s.variable));
    st.accumulatedFirstMoment = [];
    st.accumulatedSecondMoment = [];
  }

  /** The whole state, exactly as the update keeps it (see `AdamState`). */
  async exportState(): Promise<AdamState> {
    const native = this.native;
    if (native) {
      tf.dispose(this.lent.splice(0));
      const moments = native.names().map((variable) => ({ variable, ...native.moments(variable)! }));
      this.lent = moments.flatMap((x) => [x.m, x.v]);
      return { iterations: this.iterations, lr: this.lr, moments, scale: { m: momentScale(this.beta1), v: momentScale(this.beta2) } };
    }
    const weights = await super.getWeights();
    weights[0]?.tensor.dispose();
    const rest = weights.slice(1);
    const n = rest.length / 2;
    const moments = rest.slice(0, n).map((w, i) => ({ variable: w.name.replace(/\/m$/, ''), m: w.tensor, v: rest[n + i]!.tensor }));
    const state: AdamState = { iterations: this.iterations, lr: this.lr, moments, scale: { m: 1, v: 1 } };
    if (internalsEnabled()) {
      const st = adamInternals(this);
      state.betaPowers = [st.accBeta1.dataSync()[0]!, st.accBeta2.dataSync()[0]!];
    }
    return state;
  }

  /** Restores what `exportState` returned (of this optimizer or one of the same configuration). */
  async importState(state: AdamState): Promise<void> {
    this.lr = state.lr;
    const native = this.nativeState();
    if (native) {
      for (const { variable, m, v } of state.moments) {
        const target = registeredVariable(variable);
        if (!target) throw new Error(`Adam state for an unknown variable ${variable}`);
        native.setMoments(variable, target, m, v, this.hyper(), state.scale);
      }
      const iter = tf.scalar(state.iterations, 'int32');
      try {
        await super.setWeights([{ name: 'iter', tensor: iter }]);
      } finally {
        iter.dispose();
      }
      return;
    }
    // tfjs's format holds PyTorch-scale moments.
    const toTorch = (x: tf.Tensor, scale: number) => (scale === 1 ? tf.clone(x) : tf.div(x, scale));
    const iter = { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') };
    const m = state.moments.map((x) => ({ name: `${x.variable}/m`, tensor: toTorch(x.m, state.scale.m) }));
    const v = state.moments.map((x) => ({ name: `${x.variable}/v`, tensor: toTorch(x.v, state.scale.v) }));
    try {
      await super.setWeights([iter, ...m, ...v]);
    } finally {
      tf.dispose([iter.tensor, ...m.map((x) => x.tensor), ...v.map((x) => x.tensor)]);
    }
    if (state.betaPowers && internalsEnabled()) {
      const st = adamInternals(this);
      st.accBeta1.assign(tf.scalar(state.betaPowers[0]));
      st.accBeta2.assign(tf.scalar(state.betaPowers[1]));
    }
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
