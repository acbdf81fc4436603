/**
 * Adam as TensorFlow's fused `ResourceApplyAdam`: one pass over a variable, its gradient and its
 * two moments, where tfjs's Adam makes ~14 elementwise passes (Adam was ~0.4 s of a 2.5 s birds
 * GAN iteration). The op works on TensorFlow resource variables, which tfjs does not have; tfjs-node
 * passes resource handles through as opaque tensors, so each optimised tfjs variable gets a
 * resource twin holding its value and moments:
 *
 * - the twin is the master copy, and the tfjs variable holds a read of it (a read shares the
 *   buffer). To update in place, the variable's own TensorFlow handle is released for the op and
 *   replaced by a fresh read after it, under the same tfjs data id — only when tfjs's reference
 *   count says no other tfjs tensor shares that data id (a `clone` does). Any TensorFlow-level
 *   alias still alive (a reshape saved somewhere) makes TensorFlow copy before writing
 *   (copy-on-write), so nothing ever sees a buffer change under it. Otherwise the update runs on
 *   the shared buffer, TensorFlow copies, and the variable adopts the result (one extra pass and
 *   one variable-sized allocation per step: 457 MB of the birds GAN iteration's RSS growth).
 * - a tfjs variable assigned by anyone else (a checkpoint restore, EMA swap, import) no longer
 *   holds the buffer its twin gave it; that is noticed by its data id and the twin re-reads it.
 *
 * Update: TensorFlow's op computes var −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε̂) with the bias
 * corrections in float32, where 1 − β₂ᵗ loses ~5 digits to cancellation early on (β₂ = 0.999). So
 * the op is given βᵗ = 0, lr' = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and ε̂ = ε·√(1−β₂ᵗ) computed in double: that is
 * PyTorch's var −= lr·m̂/(√v̂ + ε) with PyTorch's double-precision bias corrections.
 * The op also weighs the new gradient by 1 − β in float32 (1 − 0.999f = 0.00099998713) where
 * PyTorch uses float32(1 − β) (0.001f); the decay factor is the same, so the op's moments are
 * PyTorch's times a constant r = (1 − βf)/float32(1 − β). lr' and ε̂ absorb r, so values are
 * PyTorch's up to float32 rounding; the moments are saved as the op keeps them, with r recorded
 * beside them (a checkpoint's optimizer entry `scale`), and rescaled only when read into another
 * scale.
 */
import * as tf from '@tensorflow/tfjs';
import { fastPathEnabled } from './fast-paths.js';
import { nativeBackend, type NativeBackend, type OpAttr } from './tfjs-internals.js';

/** TensorFlow's ResourceHandle::ANONYMOUS_NAME: each VarHandleOp makes a new variable owned by its handle. */
const ANONYMOUS = 'cd2c89b7-88b7-44c8-ad83-06c2a9158347';

type Twin = { value: tf.Tensor; m: tf.Tensor; v: tf.Tensor; adopted: object | null };
export type AdamHyper = { lr: number; beta1: number; beta2: number; epsilon: number };

/** The op's moment over PyTorch's for a decay β: (1 − βf) in float32 over float32(1 − β). */
export function momentScale(beta: number): number {
  return Math.fround(1 - Math.fround(beta)) / Math.fround(1 - beta);
}

export class NativeAdamState {
  private readonly twins = new Map<string, Twin>();
  private constructor(private readonly b: NativeBackend) {}

  /** Null off the native backend (the caller keeps tfjs's ops). */
  static create(): NativeAdamState | null {
    const b = nativeBackend();
    return b && fastPathEnabled('fused-adam') ? new NativeAdamState(b) : null;
  }

  /** Names of the variables with moments, in the order they were first updated. */
  names(): string[] {
    return [...this.twins.keys()];
  }

  /** One Adam update of `variable` with gradient `g`; `beta1Power`/`beta2Power` are β₁ᵗ and β₂ᵗ of this step. */
  apply(
    name: string,
    variable: tf.Variable,
    g: tf.Tensor,
    h: AdamHyper & { beta1Power: number; beta2Power: number },
  ): void {
    const twin = this.twin(name, variable);
    if (twin.adopted !== variable.dataId) this.assign(twin.value, variable);
    const c2 = Math.sqrt(1 - h.beta2Power) * Math.sqrt(momentScale(h.beta2));
    const lr = (h.lr * c2) / (1 - h.beta1Power) / momentScale(h.beta1);
    const scalars = [tf.scalar(0), tf.scalar(0), tf.scalar(lr), tf.scalar(h.beta1), tf.scalar(h.beta2), tf.scalar(h.epsilon * c2)];
    const { TF_ATTR_TYPE, TF_ATTR_BOOL, TF_FLOAT } = this.b.binding;
    const attrs: OpAttr[] = [
      { name: 'T', type: TF_ATTR_TYPE, value: TF_FLOAT },
      { name: 'use_locking', type: TF_ATTR_BOOL, value: false },
      { name: 'use_nesterov', type: TF_ATTR_BOOL, value: false },
    ];
    const inputs = [twin.value, twin.m, twin.v, ...scalars, g];
    const data = this.b.tensorMap.get(variable.dataId);
    try {
      if (data && data.refCount === 1 && data.values == null && data.id >= 0) {
        // In place: the op's inputs resolved first, then the variable's handle released, so the
        // twin's buffer is TensorFlow's only reference unless an alias elsewhere keeps it shared.
        const ids = this.b.getInputTensorIds(inputs);
        this.b.binding.deleteTensor(data.id);
        data.id = -1;
        try {
          this.b.binding.executeOp('ResourceApplyAdam', attrs, ids, 0);
        } finally {
          data.id = this.b.binding.executeOp('ReadVariableOp', this.dtypeAttr(), this.b.getInputTensorIds([twin.value]), 1)[0]!.id;
          twin.adopted = variable.dataId;
        }
        return;
      }
      this.b.executeMultipleOutputs('ResourceApplyAdam', attrs, inputs, 0);
      const next = this.read(twin.value);
      variable.assign(next);
      next.dispose();
      twin.adopted = variable.dataId;
    } finally {
      tf.dispose(scalars);
    }
  }

  /**
   * The moments as the op keeps them (tensors the caller owns): PyTorch's times `momentScale(β)`.
   * Checkpoints store these unchanged with the scale beside them, so a resume is exact (dividing
   * and multiplying back by the scale in float32 would round some elements).
   */
  moments(name: string): { m: tf.Tensor; v: tf.Tensor } | null {
    const twin = this.twins.get(name);
    if (!twin) return null;
    return { m: this.read(twin.m), v: this.read(twin.v) };
  }

  /** Sets the moments of `variable` from `m` and `v` that are PyTorch's times `scale` (1: PyTorch's own). */
  setMoments(name: string, variable: tf.Variable, m: tf.Tensor, v: tf.Tensor, h: AdamHyper, scale: { m: number; v: number }): void {
    const twin = this.twin(name, variable);
    for (const [handle, x, beta, stored] of [[twin.m, m, h.beta1, scale.m], [twin.v, v, h.beta2, scale.v]] as const) {
      const factor = momentScale(beta) / stored;
      if (factor === 1) {
        this.assign(handle, x);
        continue;
      }
      const y = tf.mul(x, factor);
      this.assign(handle, y);
      y.dispose();
    }
  }

  dispose(): void {
    for (const t of this.twins.values()) tf.dispose([t.value, t.m, t.v]);
    this.twins.clear();
  }

  private twin(name: string, variable: tf.Variable): Twin {
    let twin = this.twins.get(name);
    if (!twin) {
      twin = { value: this.handle(variable.shape), m: this.handle(variable.shape), v: this.handle(variable.shape), adopted: null };
      const zeros = tf.zeros(variable.shape);
      this.assign(twin.m, zeros);
      this.assign(twin.v, zeros);
      zeros.dispose();
      this.twins.set(name, twin);
    }
    return twin;
  }

  private handle(shape: number[]): tf.Tensor {
    const { TF_ATTR_STRING, TF_ATTR_TYPE, TF_ATTR_SHAPE, TF_FLOAT } = this.b.binding;
    const [h] = this.b.executeMultipleOutputs(
      'VarHandleOp',
      [
        { name: 'container', type: TF_ATTR_STRING, value: '' },
        { name: 'shared_name', type: TF_ATTR_STRING, value: ANONYMOUS },
        { name: 'dtype', type: TF_ATTR_TYPE, value: TF_FLOAT },
        { name: 'shape', type: TF_ATTR_SHAPE, value: shape },
      ],
      [],
      1,
    );
    return tf.keep(h!);
  }

  private dtypeAttr(): OpAttr[] {
    return [{ name: 'dtype', type: this.b.binding.TF_ATTR_TYPE, value: this.b.binding.TF_FLOAT }];
  }

  private assign(handle: tf.Tensor, x: tf.Tensor): void {
    this.b.executeMultipleOutputs('AssignVariableOp', this.dtypeAttr(), [handle, x], 0);
  }

  private read(handle: tf.Tensor): tf.Tensor {
    return this.b.executeMultipleOutputs('ReadVariableOp', this.dtypeAttr(), [handle], 1)[0]!;
  }
}
