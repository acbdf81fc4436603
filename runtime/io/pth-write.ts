import { zipSync } from 'fflate';
import { AttncError } from '../util/errors.js';

/**
 * Write a state_dict as a zip-format `.pth` that `torch.load(path, weights_only=True)` accepts and
 * `module.load_state_dict` takes: `archive/data.pkl` (a protocol-2 pickle using only
 * `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` and `torch.FloatStorage`/`LongStorage`),
 * `archive/data/<i>` (one little-endian storage per tensor) and `archive/version`, all stored
 * uncompressed, as PyTorch writes them.
 */

export interface PthWriteTensor {
  name: string;
  /** PyTorch layout. */
  shape: number[];
  /** float32 values, or int64 values (e.g. `num_batches_tracked`) given as an Int32Array/BigInt64Array. */
  data: Float32Array | Int32Array | BigInt64Array;
}

class Out {
  private parts: number[] = [];
  byte(...b: number[]) { for (const x of b) this.parts.push(x); }
  ascii(s: string) { for (let i = 0; i < s.length; i++) this.parts.push(s.charCodeAt(i) & 0xff); }
  u32(v: number) { this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); }
  /** BINUNICODE */
  str(s: string) { const b = new TextEncoder().encode(s); this.byte(0x58); this.u32(b.length); this.byte(...b); }
  /** smallest non-negative int opcode */
  int(v: number) {
    if (!Number.isSafeInteger(v) || v < 0) throw new AttncError('ATTNC_PTH', `cannot write ${v} as a tensor size`);
    if (v < 256) this.byte(0x4b, v);
    else if (v < 65536) this.byte(0x4d, v & 0xff, v >> 8);
    else if (v < 2 ** 31) { this.byte(0x4a); this.u32(v); } else {
      // LONG1, 8 bytes little-endian
      this.byte(0x8a, 8);
      let x = BigInt(v);
      for (let i = 0; i < 8; i++) { this.byte(Number(x & 0xffn)); x >>= 8n; }
    }
  }
  global(mod: string, name: string) { this.byte(0x63); this.ascii(`${mod}\n${name}\n`); }
  tuple(items: number[]) { this.byte(0x28); for (const x of items) this.int(x); this.byte(0x74); }
  bytes() { return Uint8Array.from(this.parts); }
}

export function encodeStateDictPickle(tensors: PthWriteTensor[]): Uint8Array {
  const o = new Out();
  o.byte(0x80, 2);
  orderedDict(o, tensors, 0);
  o.byte(0x2e);
  return o.bytes();
}

/** One state_dict as an `OrderedDict` whose tensors use storages `first`, `first + 1`, … */
function orderedDict(o: Out, tensors: PthWriteTensor[], first: number): void {
  o.global('collections', 'OrderedDict');
  o.byte(0x29, 0x52); // () REDUCE
  tensors.forEach((t, j) => {
    const i = first + j;
    const isInt = !(t.data instanceof Float32Array);
    o.byte(0x28); // MARK for SETITEMS (one item per batch keeps it simple)
    o.str(t.name);
    o.global('torch._utils', '_rebuild_tensor_v2');
    o.byte(0x28); // args
    o.byte(0x28); // persistent id tuple
    o.str('storage');
    o.global('torch', isInt ? 'LongStorage' : 'FloatStorage');
    o.str(String(i));
    o.str('cpu');
    o.int(t.data.length);
    o.byte(0x74, 0x51); // TUPLE BINPERSID
    o.int(0);
    o.tuple(t.shape);
    o.tuple(contiguousStride(t.shape));
    o.byte(0x89); // requires_grad False
    o.global('collections', 'OrderedDict');
    o.byte(0x29, 0x52);
    o.byte(0x74, 0x52); // TUPLE REDUCE
    o.byte(0x75); // SETITEMS
  });
}

/**
 * A checkpoint that nests state_dicts in a dict, as DF-GAN's `state_epoch_<n>.pth` does:
 * `{outer: {name: OrderedDict, …}, …ints}` (`{model: {netG, netD, netC}, epoch: n}`). Storages are
 * numbered across the sections in order.
 */
export function encodeNestedStateDictPickle(outer: string, sections: Array<[string, PthWriteTensor[]]>, ints: Record<string, number> = {}): Uint8Array {
  const o = new Out();
  o.byte(0x80, 2);
  o.byte(0x7d, 0x28); // EMPTY_DICT MARK
  o.str(outer);
  o.byte(0x7d, 0x28); // EMPTY_DICT MARK
  let first = 0;
  for (const [name, tensors] of sections) {
    o.str(name);
    orderedDict(o, tensors, first);
    first += tensors.length;
  }
  o.byte(0x75); // SETITEMS (inner)
  for (const [k, v] of Object.entries(ints)) {
    o.str(k);
    o.int(v);
  }
  o.byte(0x75, 0x2e); // SETITEMS (outer) STOP
  return o.bytes();
}

function contiguousStride(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]!; }
  return s;
}

export function writePth(tensors: PthWriteTensor[], archive = 'archive'): Uint8Array {
  return zipArchive(encodeStateDictPickle(tensors), tensors, archive);
}

/** A nested checkpoint (see {@link encodeNestedStateDictPickle}) as a zip-format `.pth`. */
export function writeNestedPth(outer: string, sections: Array<[string, PthWriteTensor[]]>, ints: Record<string, number> = {}, archive = 'archive'): Uint8Array {
  return zipArchive(encodeNestedStateDictPickle(outer, sections, ints), sections.flatMap(([, t]) => t), archive);
}

function zipArchive(pkl: Uint8Array, tensors: PthWriteTensor[], archive: string): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  const stored = (b: Uint8Array): [Uint8Array, { level: 0 }] => [b, { level: 0 }];
  files[`${archive}/data.pkl`] = stored(pkl);
  files[`${archive}/byteorder`] = stored(new TextEncoder().encode('little'));
  tensors.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new AttncError('ATTNC_PTH', `tensor ${t.name}: shape [${t.shape}] does not match ${t.data.length} values`);
    let raw: Uint8Array;
    if (t.data instanceof Float32Array) raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    else {
      const wide = t.data instanceof BigInt64Array ? t.data : BigInt64Array.from(t.data, (x) => BigInt(x));
      raw = new Uint8Array(wide.buffer, wide.byteOffset, wide.byteLength);
    }
    files[`${archive}/data/${i}`] = stored(raw);
  });
  files[`${archive}/version`] = stored(new TextEncoder().encode('3\n'));
  return zipSync(files);
}
