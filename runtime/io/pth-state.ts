import type { TorchState } from '../nn/state.js';
import type { PthFile } from './pth.js';

/**
 * A `.pth` state_dict as the `TorchState` that `importState` loads. Integer tensors (only
 * `num_batches_tracked` in AttnGAN, which importState ignores by name) become float32 like the rest.
 * A DataParallel checkpoint's `module.` prefix is stripped when every key has it.
 */
export function pthToState(p: PthFile): { state: TorchState; strippedPrefix: boolean } {
  const strippedPrefix = p.tensors.length > 0 && p.tensors.every((t) => t.name.startsWith('module.'));
  const state: TorchState = new Map();
  for (const t of p.tensors) {
    const name = strippedPrefix ? t.name.slice('module.'.length) : t.name;
    state.set(name, { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) });
  }
  return { state, strippedPrefix };
}
