/**
 * The native-only fast paths: TensorFlow ops that tfjs does not expose, called through tfjs-node's
 * backend (native-ops.ts, native-adam.ts, native-grads.ts) or op sequences chosen for native
 * TensorFlow (conv-plan.ts). Each checks `fastPathEnabled` and keeps tfjs's portable ops when it
 * is off. On a GPU, a fast path whose TensorFlow ops have no GPU kernel there (they would run on the
 * CPU, with copies in and out) or that fails is switched off for the process, said once on stderr
 * (placement.ts decides which); tfjs's own ops then run it on the GPU.
 */
export const FAST_PATHS = {
  'fused-adam': {
    what: 'Adam as one fused update per variable',
    ops: ['ResourceApplyAdam', 'VarHandleOp', 'AssignVariableOp', 'ReadVariableOp'],
  },
  'block-lstm': { what: 'the text encoder\'s LSTM as one op per sequence', ops: ['BlockLSTMV2'] },
  'reverse-sequence': { what: 'the backward LSTM\'s per-caption reversal', ops: ['ReverseSequence'] },
  'fused-batchnorm': { what: 'BatchNorm forward and backward as fused ops', ops: ['FusedBatchNormV3', 'FusedBatchNormGradV3'] },
  'activation-grads': { what: 'ReLU/LeakyReLU gradients as one op each', ops: ['ReluGrad', 'LeakyReluGrad'] },
  'conv-patches': { what: 'small-map convolutions as patches + one matrix product', ops: ['Slice', 'ConcatV2', 'BatchMatMulV2'] },
} as const satisfies Record<string, { what: string; ops: readonly string[] }>;

export type FastPath = keyof typeof FAST_PATHS;
export const FAST_PATH_IDS = Object.keys(FAST_PATHS) as FastPath[];

const disabled = new Map<FastPath, string>();

export function fastPathEnabled(id: FastPath): boolean {
  return !disabled.has(id);
}

/** Switch a fast path off for this process; the reason goes to stderr once (unless quiet). */
export function disableFastPath(id: FastPath, reason: string, options: { quiet?: boolean } = {}): void {
  if (disabled.has(id)) return;
  disabled.set(id, reason);
  if (!options.quiet) process.stderr.write(`attnc: ${FAST_PATHS[id].what} (${id}) falls back to tfjs's ops: ${reason}\n`);
}

/** The fast paths switched off so far, with why. */
export function disabledFastPaths(): ReadonlyMap<FastPath, string> {
  return disabled;
}

/** Tests only: switch every fast path back on. */
export function resetFastPaths(): void {
  disabled.clear();
}
