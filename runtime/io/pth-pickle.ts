import type { PickleExtensions, PickleValue, Refuse } from './pickle.js';

/**
 * The allow-list that lets the safe pickle reader read a PyTorch state_dict and nothing else.
 *
 * A `torch.save(module.state_dict())` pickle uses only:
 * - `collections.OrderedDict` (REDUCE with no args, or Python 2's one list of [key, value] pairs;
 *   BUILD with `{'_metadata': …}`, which we drop);
 * - `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`
 *   (PyTorch ≥ 0.4), `_rebuild_tensor(storage, offset, size, stride)` (0.3, the released 2018
 *   files) and `_rebuild_parameter(tensor, requires_grad, hooks)` (a pickled `nn.Parameter`);
 * - storage classes `torch.FloatStorage` … named inside persistent ids
 *   `('storage', type, key, location, numel[, view_metadata])`. A model saved from the GPU (how the
 *   authors' `bird_AttnGAN2.pth` and DAMSM encoders were saved, with PyTorch 0.3; and any GPU save
 *   of PyTorch 1.x) names `torch.cuda.FloatStorage` … with location `cuda:0`: the bytes are the
 *   same, so these read as their CPU twins, as `torch.load(path, map_location='cpu')` reads them.
 * Every other global — `os.system`, `builtins.eval`, `torch.nn.modules.*` (a whole pickled module),
 * `numpy.*` — is refused before anything is built, naming it. Nothing here ever calls code: a
 * "call" only records which tensor view to cut from which storage.
 */

export type StorageDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const STORAGE_TYPES: Record<string, { dtype: StorageDtype; bytes: number }> = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
};

/** A storage class named by a GLOBAL; only ever used inside a persistent id. */
export class StorageType {
  constructor(readonly name: string, readonly dtype: StorageDtype, readonly bytes: number) {}
}

/** What a persistent id stands for: `numel` elements of `type` in the record `key`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly type: StorageType,
    readonly numel: number,
    /** Legacy storage views: this storage is `[offset, offset+numel)` of storage `viewOf`. */
    readonly view: { key: string; offset: number } | undefined,
  ) {}
}

/** A tensor as a strided view of a storage (nothing is copied here). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

class Callable {
  constructor(readonly name: string) {}
}

const CALLABLES = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
]);

/** Tensors have at most this many dimensions (PyTorch's own limit is 64). */
const MAX_RANK = 16;

function intOf(v: PickleValue, what: string, refuse: Refuse): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return refuse(`${what} is not a non-negative integer`);
  return v;
}

function intList(v: PickleValue, what: string, refuse: Refuse): number[] {
  if (!Array.isArray(v) || v.length > MAX_RANK) return refuse(`${what} is not a tuple of at most ${MAX_RANK} integers`);
  return v.map((x, i) => intOf(x, `${what}[${i}]`, refuse));
}

function isDict(v: unknown): v is Record<string, PickleValue> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Callable) && !(v instanceof TensorRef);
}

/**
 * Hooks for `readPickleAt`. `storages` collects every persistent id by key (one StorageRef per
 * key, checked for consistent type and size) so the container reader can bound and load them.
 */
export function stateDictPickleHooks(storages: Map<string, StorageRef>): PickleExtensions {
  const orderedDicts = new WeakSet<object>();
  return {
    global(module, name, refuse) {
      const full = `${module}.${name}`;
      if ((module === 'torch' || module === 'torch.cuda') && Object.hasOwn(STORAGE_TYPES, name)) {
        const t = STORAGE_TYPES[name]!;
        return new StorageType(name, t.dtype, t.bytes);
      }
      if (CALLABLES.has(full)) return new Callable(full);
      return refuse(
        `refusing global ${full}`,
        full.startsWith('torch.nn.')
          ? 'the file pickles a whole module, not a state_dict; in Python: torch.save(model.state_dict(), path)'
          : 'only the globals of a PyTorch state_dict are accepted (tensor rebuild functions, storage types, OrderedDict); ' +
              'a pickle that imports anything else can run code',
      );
    },

    reduce(callable, args, refuse) {
      if (!(callable instanceof Callable)) {
        return refuse(`refusing REDUCE on ${callable instanceof StorageType ? `torch.${callable.name}` : 'a value that is not an allowed function'}`);
      }
      switch (callable.name) {
        case 'collections.OrderedDict': {
          const d: Record<string, PickleValue> = {};
          orderedDicts.add(d);
          if (args.length === 0) return d;
          // Python 2's OrderedDict.__reduce__: one list of [key, value] pairs.
          const pairs = args[0];
          if (args.length !== 1 || !Array.isArray(pairs)) return refuse('OrderedDict arguments are not a list of pairs');
          for (const p of pairs) {
            if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string') return refuse('OrderedDict item is not a [str, value] pair');
            if (p[0] === '__proto__') return refuse('OrderedDict key "__proto__" is not a state_dict key');
            d[p[0]] = p[1]!;
          }
          return d;
        }
        case 'torch._utils._rebuild_tensor':
        case 'torch._utils._rebuild_tensor_v2': {
          const v2 = callable.name.endsWith('_v2');
          if (args.length < 4 || args.length > (v2 ? 7 : 4)) return refuse(`${callable.name} with ${args.length} arguments`);
          const storage = args[0] as unknown;
          if (!(storage instanceof StorageRef)) return refuse(`${callable.name}: first argument is not a storage`);
          const shape = intList(args[2]!, 'tensor size', refuse);
          const stride = intList(args[3]!, 'tensor stride', refuse);
          if (shape.length !== stride.length) return refuse(`tensor size has ${shape.length} dims but stride ${stride.length}`);
          if (v2 && args[5] !== undefined && !(isDict(args[5]) && Object.keys(args[5]).length === 0)) {
            return refuse('tensor with backward hooks');
          }
          return new TensorRef(storage, intOf(args[1]!, 'storage offset', refuse), shape, stride);
        }
        case 'torch._utils._rebuild_parameter': {
          if (args.length !== 3 || !((args[0] as unknown) instanceof TensorRef)) return refuse('_rebuild_parameter without a tensor');
          return args[0];
        }
        default:
          return refuse(`refusing REDUCE on ${callable.name}`);
      }
    },

    build(obj, state, refuse) {
      // OrderedDict's instance dict: state_dict()'s `_metadata` (BN versions); not needed.
      if (isDict(obj) && orderedDicts.has(obj) && isDict(state)) return obj;
      return refuse('refusing BUILD (object state) on anything but an OrderedDict');
    },

    persistentLoad(pid, refuse) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== 5 && pid.length !== 6)) {
        return refuse('persistent id is not a (\'storage\', type, key, location, numel) tuple');
      }
      const type = pid[1] as unknown;
      if (!(type instanceof StorageType)) return refuse('persistent id names no storage type');
      const key = pid[2];
      if (typeof key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(key)) return refuse(`storage key ${JSON.stringify(key)} is not a plain name`);
      const numel = intOf(pid[4]!, 'storage size', refuse);
      let view: StorageRef['view'];
      const vm = pid[5];
      if (vm !== undefined && vm !== null) {
        // Legacy storage view: (view_key, offset, size) of the root storage `key`.
        if (!Array.isArray(vm) || vm.length !== 3 || typeof vm[0] !== 'string') return refuse('malformed storage view metadata');
        const viewKey = vm[0];
        const off = intOf(vm[1]!, 'storage view offset', refuse);
        const size = intOf(vm[2]!, 'storage view size', refuse);
        if (off + size > numel) return refuse(`storage view [${off}, ${off + size}) runs past its storage of ${numel} elements`);
        const ref = new StorageRef(viewKey, type, size, { key, offset: off });
        remember(storages, new StorageRef(key, type, numel, undefined), refuse);
        return remember(storages, ref, refuse);
      }
      return remember(storages, new StorageRef(key, type, numel, view), refuse);
    },
  };
}

function remember(storages: Map<string, StorageRef>, ref: StorageRef, refuse: Refuse): StorageRef {
  const seen = storages.get(ref.key);
  if (!seen) {
    storages.set(ref.key, ref);
    return ref;
  }
  if (seen.type.name !== ref.type.name || seen.numel !== ref.numel || seen.view?.key !== ref.view?.key || seen.view?.offset !== ref.view?.offset) {
    return refuse(`storage ${ref.key} is declared twice with different types or sizes`);
  }
  return seen;
}
