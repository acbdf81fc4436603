/**
 * The one fence around tfjs internals. attnc reaches past tfjs's public API in a few places, each
 * for speed or memory (docs/architecture.md, "tfjs internals"): the engine's tape state (ops that
 * run off the tape, a backward pass that frees as it goes), AdamOptimizer's private moments, and
 * tfjs-node's backend (TensorFlow ops tfjs does not call). Every such access goes through a typed
 * view here and nowhere else, so a tfjs upgrade is checked in one file.
 *
 * The views were checked against the tfjs versions in `TESTED_TFJS`. On another version, or with
 * `ATTNC_PORTABLE=1`, `internalsEnabled()` is false and every caller takes its portable path (tfjs's
 * public ops and gradients, tfjs's own Adam arithmetic, no lean backward pass): slower and heavier,
 * the same numbers up to float rounding. `checkTfjsVersion` says so once at start-up.
 *
 * No Node built-in is imported here: the inference path (nn/, encoders/) reaches this file.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs-core versions whose internals the views below were checked against. */
export const TESTED_TFJS: readonly string[] = ['4.22.0'];

type Env = Record<string, string | undefined>;
const env = (): Env => (typeof process === 'undefined' ? {} : process.env);

let disabled: string | null | undefined;

/** Why the internals may not be used with this environment and tfjs version, or null when they may. */
export function portableReasonFor(environment: Env, version: string): string | null {
  const forced = environment.ATTNC_PORTABLE;
  if (forced !== undefined && forced !== '' && forced !== '0') return 'ATTNC_PORTABLE is set';
  if (!TESTED_TFJS.includes(version)) return `tfjs ${version} is not a version attnc was tested with (${TESTED_TFJS.join(', ')})`;
  return null;
}

/** Why the portable paths are forced (`ATTNC_PORTABLE=1`, an untested tfjs), or null; decided once. */
export function portableReason(): string | null {
  if (disabled === undefined) disabled = portableReasonFor(env(), tf.version_core);
  return disabled;
}

/** Whether the fast paths that use tfjs internals may run (false: portable paths everywhere). */
export function internalsEnabled(): boolean {
  return portableReason() === null;
}

/** Tests: force the decision (a reason: portable paths), or `undefined` to decide again from the environment. */
export function setPortableReason(reason: string | null | undefined): void {
  disabled = reason;
}

/**
 * Start-up check: one warning when an untested tfjs version turns the fast paths off (none for
 * `ATTNC_PORTABLE=1`, which is asked for). Returns the reason, or null.
 */
export function checkTfjsVersion(warn: (line: string) => void, environment: Env = env(), version = tf.version_core): string | null {
  const reason = portableReasonFor(environment, version);
  if (reason && !reason.startsWith('ATTNC_PORTABLE')) warn(`attnc: ${reason}; using the portable paths (slower, more memory; the same results up to float rounding)`);
  return reason;
}

// ── the engine: tape and scopes (tfjs-core 4.x engine.ts / tape.ts) ───────────────────────────────

/** A node of tfjs's gradient tape, the fields lean-backprop.ts reads and rewires. */
export type TapeNode = {
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
};

type EngineState = {
  gradientDepth: number;
  activeTape: TapeNode[] | null;
  activeScope: { track: tf.Tensor[] } | null;
};

function engineState(): EngineState {
  return tf.engine().state as unknown as EngineState;
}

/** Whether a gradient tape is recording (inside `tf.grads` / `tf.variableGrads`). */
export function isTaping(): boolean {
  return engineState().gradientDepth > 0;
}

/**
 * Whether a gradient call runs inside another (a gradient penalty: the inner call's backward pass
 * is itself differentiated by the outer one), so kernels whose gradient is a native op without a
 * gradient of its own must take their composite, differentiable-to-any-order form.
 */
export function isTapingNested(): boolean {
  return engineState().gradientDepth > 1;
}

/** How many gradient calls enclose this point, and the tape they record into. */
export function tapeState(): { depth: number; tape: TapeNode[] | null } {
  const s = engineState();
  return { depth: s.gradientDepth, tape: s.activeTape };
}

/** The tensors the innermost `tidy` tracks (what a gradient function made eagerly lands here). */
export function activeScopeTrack(): tf.Tensor[] | null {
  return engineState().activeScope?.track ?? null;
}

/**
 * Runs `fn` with the tape set aside: its ops are not recorded by an enclosing gradient call, and a
 * gradient call inside it starts its own tape. tfjs has no public switch for this.
 */
export function withTapePaused<T>(fn: () => T): T {
  const s = engineState();
  const depth = s.gradientDepth;
  const tape = s.activeTape;
  s.gradientDepth = 0;
  try {
    return fn();
  } finally {
    s.gradientDepth = depth;
    s.activeTape = tape;
  }
}

/** The engine's two save hooks (tfjs-core 4.x engine.ts), always called as a pair by `runKernelFunc`. */
export type SaveHooks = {
  getTensorsForGradient(kernelName: string, inputs: unknown, outputs: tf.Tensor[]): tf.Tensor[];
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
};

/** Runs `f` with the engine's save hooks replaced by `wrap(original)`; the originals come back after. */
export function withSaveHooks<T>(wrap: (original: SaveHooks) => SaveHooks, f: () => T): T {
  const engine = tf.engine() as unknown as SaveHooks;
  const keys = ['getTensorsForGradient', 'saveTensorsForBackwardMode'] as const;
  const own = keys.map((k) => Object.getOwnPropertyDescriptor(engine, k));
  const original: SaveHooks = { getTensorsForGradient: engine.getTensorsForGradient.bind(engine), saveTensorsForBackwardMode: engine.saveTensorsForBackwardMode.bind(engine) };
  const hooks = wrap(original);
  engine.getTensorsForGradient = hooks.getTensorsForGradient;
  engine.saveTensorsForBackwardMode = hooks.saveTensorsForBackwardMode;
  try {
    return f();
  } finally {
    keys.forEach((k, i) => {
      const d = own[i];
      if (d) Object.defineProperty(engine, k, d);
      else delete (engine as Partial<SaveHooks>)[k];
    });
  }
}

/** Whether tfjs kept `t` alive past its scope (`tf.keep`). */
export function isKept(t: tf.Tensor): boolean {
  return (t as unknown as { kept: boolean }).kept;
}

/** A tfjs variable by its name (the keys of an optimizer's gradient map). */
export function registeredVariable(name: string): tf.Variable | undefined {
  return tf.engine().registeredVariables[name];
}

// ── tf.AdamOptimizer's own state (private in its typings, plain fields at run time) ──────────────

export type AdamSlot = { originalName: string; variable: tf.Variable };
export type AdamInternals = {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: AdamSlot[];
  accumulatedSecondMoment: AdamSlot[];
  learningRate: number;
};

export function adamInternals(optimizer: tf.AdamOptimizer): AdamInternals {
  return optimizer as unknown as AdamInternals;
}

// ── tfjs-node's backend (tfjs-node 4.x nodejs_kernel_backend.js) ──────────────────────────────────

export type OpAttr = { name: string; type: number; value: unknown };

/** tfjs-node's own record of a tensor's data: the TensorFlow handle id and the tfjs reference count. */
export type NativeTensorData = { id: number; refCount: number; values: unknown };

/** The parts of tfjs-node's NodeJSKernelBackend attnc uses. */
export type NativeBackend = {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_SHAPE: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_INT32: number;
    TF_Version?: string;
    /** tfjs-node-gpu's binding only: whether TensorFlow created a GPU device. */
    isUsingGpuDevice?(): boolean;
    deleteTensor(id: number): void;
    executeOp(name: string, attrs: OpAttr[], inputIds: number[], numOutputs: number): Array<{ id: number }>;
  };
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.TensorInfo;
  tensorMap: { get(dataId: object): NativeTensorData | undefined };
  getInputTensorIds(inputs: tf.Tensor[]): number[];
};

/** The backend object of a kernel function (a `registerKernel` kernelFunc's `backend`) as tfjs-node's. */
export function asNativeBackend(backend: unknown): NativeBackend {
  return backend as NativeBackend;
}

/** tfjs-node's backend when it is the active one and the internals may be used; null otherwise. */
export function nativeBackend(): NativeBackend | null {
  if (tf.getBackend() !== 'tensorflow' || !internalsEnabled()) return null;
  return tf.backend() as unknown as NativeBackend;
}

/** The libtensorflow version of the native backend, when it is active. */
export function libtensorflowVersion(): string | undefined {
  return (tf.backend() as unknown as Partial<NativeBackend>).binding?.TF_Version;
}

/** Whether the native backend's TensorFlow created a GPU device (false on the CPU library and other backends). */
export function isUsingGpuDevice(): boolean {
  return (tf.backend() as unknown as Partial<NativeBackend>).binding?.isUsingGpuDevice?.() ?? false;
}

/**
 * tfjs-node's int64 scalar class (the only int64 input its binding takes). Its backend recognises
 * the class by identity, so it must come from the tfjs-node copy that is running: backend/index.ts
 * finds it when it loads the native backend (that lookup needs Node's module system, kept out of
 * this file).
 */
let int64Scalar: (new (value: number) => unknown) | null = null;

export function setInt64ScalarClass(cls: new (value: number) => unknown): void {
  int64Scalar = cls;
}

export function makeInt64Scalar(value: number): tf.Tensor {
  if (!int64Scalar) throw new Error('int64 scalar: the tfjs-node backend was not loaded through runtime/backend/index.ts');
  return new int64Scalar(value) as tf.Tensor;
}

// ── gradient overrides ─────────────────────────────────────────────────────────────────────────────

const replaced = new Map<string, tf.GradConfig | null>();

/**
 * Registers `configs` in place of tfjs's gradients for their kernels (process-wide: tfjs's gradient
 * registry is global). What was there is kept for `removeGradientOverrides`. Installing twice is a
 * no-op per kernel.
 */
export function installGradientOverrides(configs: readonly tf.GradConfig[]): void {
  for (const c of configs) {
    if (replaced.has(c.kernelName)) continue;
    replaced.set(c.kernelName, tf.getGradient(c.kernelName) ?? null);
    tf.registerGradient(c);
  }
}

/** Puts tfjs's own gradients back for every kernel `installGradientOverrides` replaced. */
export function removeGradientOverrides(): void {
  for (const [kernelName, original] of replaced) {
    if (original) tf.registerGradient(original);
    else tf.unregisterGradient(kernelName);
  }
  replaced.clear();
}

/** The kernels whose gradients are currently overridden. */
export function overriddenGradients(): string[] {
  return [...replaced.keys()];
}
