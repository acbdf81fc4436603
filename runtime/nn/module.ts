import * as tf from '@tensorflow/tfjs';
import { type Initializer, initialTensor, initialValues, shapeSize } from './init.js';
import { Rng } from '../util/rng.js';

/** What kind of layer owns a tensor, for init schemes that act per layer type (like `weights_init`). */
export type InitRole = 'none' | 'conv' | 'linear' | 'batchnorm' | 'embedding';

/**
 * How a tensor's TF layout maps to PyTorch's (checkpoints and .pth files use PyTorch's). Recorded per
 * tensor by the layer that owns it, never guessed from the rank: a 2-D embedding table is stored as
 * is while a 2-D linear weight is transposed.
 * - `conv`: TF `[kh, kw, in, out]` ↔ PyTorch `[out, in, kh, kw]`
 * - `conv1d`: TF `[k, in, out]` ↔ PyTorch `[out, in, k]` (`nn.Conv1d`, DM-GAN's memory)
 * - `linear`: TF `[in, out]` ↔ PyTorch `[out, in]` (Linear, and the LSTM/GRU `weight_ih`/`weight_hh`)
 * - `identity`: the same in both (biases, BatchNorm, embeddings)
 */
export type TorchLayout = 'conv' | 'conv1d' | 'linear' | 'identity';

/** One named tensor of a module tree, with what state I/O needs to know about it. */
export interface SlotInfo {
  /** Dotted state_dict name. */
  name: string;
  kind: 'param' | 'buffer';
  /** TF layout. */
  shape: number[];
  layout: TorchLayout;
  variable: tf.Variable;
}

/** Picks a different initializer for one tensor during `resetParameters`; undefined keeps the registered one. */
export type InitOverride = (role: InitRole, localName: string, fullName: string, kind: 'param' | 'buffer') => Initializer | undefined;

interface Slot {
  name: string;
  shape: number[];
  init: Initializer;
  kind: 'param' | 'buffer';
  layout: TorchLayout;
  /** A parameter no optimizer may ever touch (`freeze`/`unfreeze` leave it alone). */
  fixed: boolean;
  /** undefined only for modules built in shape-only mode. */
  variable: tf.Variable | undefined;
}

let nextVariableId = 0;
let shapeOnlyDepth = 0;
let zeroInitDepth = 0;
/** Construction-time draws. Deterministic per process order only; use `resetParameters`/`initLikeAttnGAN` for seeded init. */
const constructionRng = new Rng('attnc-construction');
let constructionCounter = 0;

/**
 * A PyTorch-style module tree. Each parameter's stable name is its dotted path from the root
 * (`h_net2.residual.0.block.0.weight`), matching the original state_dict keys; the tfjs variable
 * behind it gets a unique internal name (`attnc/<id>/<local>`) because tfjs variable names are global.
 *
 * Ordering follows `nn.Module.named_parameters()`: a module's own tensors (registration order),
 * then each child's, depth first.
 */
export abstract class Module {
  /** How init schemes treat this module's tensors (set by Conv2d, Linear, BatchNorm, Embedding). */
  readonly initRole: InitRole = 'none';
  private readonly _slots: Slot[] = [];
  private readonly _children: Array<[string, Module]> = [];
  private readonly _shapeOnly = shapeOnlyDepth > 0;

  /**
   * Build modules without allocating any tensor: only names and shapes are recorded, so
   * `namedParameterShapes()` and `parameterCount()` work (e.g. for a 72 M-parameter D256), while
   * `apply`, `namedParameters()` and friends must not be used on the result.
   */
  static shapeOnly<T>(build: () => T): T {
    shapeOnlyDepth++;
    try {
      return build();
    } finally {
      shapeOnlyDepth--;
    }
  }

  /**
   * Build modules whose tensors start as zeros instead of construction-time draws: for callers that
   * re-draw every tensor right after (`resetParameters`, `initLikeAttnGAN`, loading a checkpoint).
   * Saves drawing ~10⁸ uniforms in JS for a birds model.
   */
  static zeroInit<T>(build: () => T): T {
    zeroInitDepth++;
    try {
      return build();
    } finally {
      zeroInitDepth--;
    }
  }

  /** Register a child; its tensors get the prefix `name.`. */
  protected addModule<M extends Module>(name: string, m: M): M {
    checkName(name);
    if (this._children.some(([n]) => n === name) || this._slots.some((s) => s.name === name)) {
      throw new Error(`duplicate module/parameter name "${name}"`);
    }
    this._children.push([name, m]);
    return m;
  }

  /** Trainable parameter. */
  protected addParam(name: string, shape: number[], init: Initializer, layout: TorchLayout = 'identity'): tf.Variable {
    return this.addSlot(name, shape, init, 'param', layout);
  }

  /**
   * A parameter that is never trainable, like PyTorch's `Parameter(requires_grad=False)` (spectral
   * norm's `weight_u`/`weight_v`): counted and listed as a parameter, saved and loaded, never optimised.
   */
  protected addFixedParam(name: string, shape: number[], init: Initializer): tf.Variable {
    return this.addSlot(name, shape, init, 'param', 'identity', true);
  }

  /** Non-trainable state (BN running_mean/running_var): saved and loaded, never optimised. */
  protected addBuffer(name: string, shape: number[], init: Initializer): tf.Variable {
    return this.addSlot(name, shape, init, 'buffer', 'identity');
  }

  private addSlot(name: string, shape: number[], init: Initializer, kind: 'param' | 'buffer', layout: TorchLayout, fixed = false): tf.Variable {
    checkName(name);
    if (this._children.some(([n]) => n === name) || this._slots.some((s) => s.name === name)) {
      throw new Error(`duplicate module/parameter name "${name}"`);
    }
    let variable: tf.Variable | undefined;
    if (!this._shapeOnly) {
      const values =
        zeroInitDepth > 0 ? undefined : initialValues(init, shape, constructionRng.fork(String(constructionCounter++)));
      variable = tf.tidy(() =>
        tf.variable(
          values ? tf.tensor(values, shape, 'float32') : tf.zeros(shape),
          kind === 'param' && !fixed,
          `attnc/${nextVariableId++}/${name}`,
        ),
      );
    }
    if (layout === 'conv' && shape.length !== 4) throw new Error(`"${name}": conv layout needs a 4-D shape`);
    if (layout === 'linear' && shape.length !== 2) throw new Error(`"${name}": linear layout needs a 2-D shape`);
    this._slots.push({ name, shape: [...shape], init, kind, layout, fixed, variable });
    // In shape-only mode there is no variable; the owner must not touch it.
    return variable as tf.Variable;
  }

  /** Direct children, registration order. */
  children(): Array<[string, Module]> {
    return [...this._children];
  }

  /** This module and all descendants with dotted names ('' for this one), like `named_modules()`. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [n, c] of this._children) out.push(...c.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  private namedSlots(kind: 'param' | 'buffer' | 'all', prefix = ''): Array<[string, Slot, Module]> {
    const out: Array<[string, Slot, Module]> = [];
    for (const s of this._slots) {
      if (kind === 'all' || s.kind === kind) out.push([prefix ? `${prefix}.${s.name}` : s.name, s, this]);
    }
    for (const [n, c] of this._children) out.push(...c.namedSlots(kind, prefix ? `${prefix}.${n}` : n));
    return out;
  }

  private variablesOf(kind: 'param' | 'buffer' | 'all'): Array<[string, tf.Variable]> {
    if (this._shapeOnly) throw new Error('module was built with Module.shapeOnly: it has no tensors');
    return this.namedSlots(kind).map(([n, s]) => [n, s.variable!]);
  }

  /** PyTorch-style dotted names in registration order. */
  namedParameters(): Array<[string, tf.Variable]> {
    return this.variablesOf('param');
  }

  namedBuffers(): Array<[string, tf.Variable]> {
    return this.variablesOf('buffer');
  }

  /** Parameters then buffers per module, depth first: the order of PyTorch's `state_dict()`. */
  stateDict(): Array<[string, tf.Variable]> {
    return this.variablesOf('all');
  }

  /** Every parameter and buffer in `state_dict` order, with kind and layout (what checkpoints read and write). */
  slotInfos(): SlotInfo[] {
    if (this._shapeOnly) throw new Error('module was built with Module.shapeOnly: it has no tensors');
    return this.namedSlots('all').map(([name, s]) => ({ name, kind: s.kind, shape: [...s.shape], layout: s.layout, variable: s.variable! }));
  }

  /** Names, TF shapes and layouts of parameters and buffers without touching tensors; works in shape-only mode. */
  namedSlotLayouts(): Array<{ name: string; kind: 'param' | 'buffer'; shape: number[]; layout: TorchLayout }> {
    return this.namedSlots('all').map(([name, s]) => ({ name, kind: s.kind, shape: [...s.shape], layout: s.layout }));
  }

  /** Names and shapes (TF layout) without touching tensors; works in shape-only mode. */
  namedParameterShapes(): Array<[string, number[]]> {
    return this.namedSlots('param').map(([n, s]) => [n, [...s.shape]]);
  }

  namedBufferShapes(): Array<[string, number[]]> {
    return this.namedSlots('buffer').map(([n, s]) => [n, [...s.shape]]);
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Parameters not frozen: what an optimizer should update and `tf.variableGrads` should see. */
  trainableParameters(): tf.Variable[] {
    return this.parameters().filter((v) => v.trainable);
  }

  parameterCount(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const [, s] of this.namedSlots('param')) {
      if (opts.trainableOnly && s.variable && !s.variable.trainable) continue;
      n += shapeSize(s.shape);
    }
    return n;
  }

  /** Exclude all parameters below this module from training (tfjs then gives them no gradient). */
  freeze(): this {
    for (const [, s] of this.namedSlots('param')) if (s.variable) s.variable.trainable = false;
    return this;
  }

  unfreeze(): this {
    for (const [, s] of this.namedSlots('param')) if (s.variable && !s.fixed) s.variable.trainable = true;
    return this;
  }

  /**
   * Re-draw every parameter and buffer from `rng.fork(<dotted name>)` with its registered
   * initializer, or with what `override` returns for it. Names are relative to this module.
   */
  resetParameters(rng: Rng, override?: InitOverride): void {
    if (this._shapeOnly) return;
    for (const [full, s, owner] of this.namedSlots('all')) {
      const init = override?.(owner.initRole, s.name, full, s.kind) ?? s.init;
      const value = initialTensor(init, s.shape, rng.fork(full));
      s.variable!.assign(value);
      value.dispose();
    }
  }

  dispose(): void {
    for (const [, s] of this.namedSlots('all')) {
      s.variable?.dispose();
      s.variable = undefined;
    }
  }
}

/**
 * A holder for children registered under explicit names, used where the original is an
 * `nn.Sequential` whose parameter-free members (Upsample, GLU, LeakyReLU) still take an index:
 * `new Sequential({ 1: conv, 2: bn })` gives keys `1.weight`, `2.weight`, …
 * The owner applies the children itself; this class only names them.
 */
export class Sequential extends Module {
  constructor(children: Record<string, Module>) {
    super();
    for (const [name, m] of Object.entries(children)) this.addModule(name, m);
  }

  get<M extends Module = Module>(name: string | number): M {
    const found = this.children().find(([n]) => n === String(name));
    if (!found) throw new Error(`no child "${name}"`);
    return found[1] as M;
  }
}

function checkName(name: string): void {
  if (!name || name.includes('.')) throw new Error(`invalid module/parameter name "${name}"`);
}
