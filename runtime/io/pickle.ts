import { AttncError } from '../util/errors.js';

/**
 * What the AttnGAN metadata pickles hold (`captions.pickle`, `filenames.pickle`, `class_info.pickle`):
 * nested lists/dicts of strings and ints. Tuples are read as arrays. Dict keys must be str or int
 * in the pickle and become string keys here (`ixtoword[0]` is `ixtoword['0']`).
 * Ints that do not fit a double exactly are `bigint`; bytes (Python 2 `str`, Python 3 `bytes`) are
 * decoded as latin1, like `pickle.load(f, encoding='latin1')`.
 */
export type PickleValue = null | boolean | number | bigint | string | PickleValue[] | { [k: string]: PickleValue };

/**
 * What `writePickle` accepts: a `PickleValue`, or a `Map` wherever a dict needs non-string keys
 * (a `number`/`bigint` key is written as a Python int, e.g. `ixtoword = {0: '<end>', ...}`).
 */
export type PickleWritable =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleWritable[]
  | { [k: string]: PickleWritable }
  | Map<string | number | bigint, PickleWritable>;

const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Opcodes that import, call or build objects: the code-execution surface of pickle. */
const UNSAFE = new Set([0x63, 0x52, 0x62, 0x69, 0x6f, 0x81, 0x92, 0x93, 0x82, 0x83, 0x84, 0x50, 0x51]);

/**
 * Opt-in hooks that let one caller (the `.pth` reader, runtime/io/pth-pickle.ts) accept a few
 * object-building opcodes with its own allow-list. Without them every opcode in UNSAFE is refused.
 * Each hook returns the object to push, or calls `refuse` (which throws an `AttncError` naming
 * the file and the opcode's byte offset). Hook results are opaque to this reader.
 */
export interface PickleExtensions {
  /** GLOBAL / STACK_GLOBAL `module.name`. */
  global(module: string, name: string, refuse: Refuse): unknown;
  /** REDUCE: `callable` is what `global` (or an earlier hook) returned, `args` the tuple's items. */
  reduce(callable: unknown, args: PickleValue[], refuse: Refuse): unknown;
  /** BUILD: `obj.__setstate__(state)`; returns the object left on the stack. */
  build(obj: unknown, state: PickleValue, refuse: Refuse): unknown;
  /** BINPERSID: the persistent id (a tuple, as an array) → the object it stands for. */
  persistentLoad(pid: PickleValue, refuse: Refuse): unknown;
}

export type Refuse = (message: string, hint?: string) => never;

/** The opcodes PickleExtensions can unlock; the rest of UNSAFE stays refused. */
const EXTENDED = new Set([0x63, 0x93, 0x52, 0x62, 0x51]);

function opLabel(op: number): string {
  const name = OPNAMES[op];
  const ch = op >= 0x20 && op < 0x7f ? ` '${String.fromCharCode(op)}'` : '';
  const hex = `0x${op.toString(16).padStart(2, '0')}`;
  return name ? `${name} (${hex}${ch})` : `unknown opcode ${hex}${ch}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return s;
}

function toIntValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

class Tuple {
  constructor(readonly items: PickleValue[]) {}
}

type StackItem = PickleValue | Tuple;

/**
 * Read a pickle holding only lists, tuples, dicts, str/bytes, int, float, bool and None
 * (protocols 0–5, framing included). Anything that could import or call code (GLOBAL, REDUCE,
 * BUILD, INST, OBJ, NEWOBJ, STACK_GLOBAL, EXT*, PERSID...) is rejected with an `AttncError`
 * (code `ATTNC_DATA_PICKLE`) naming the file, the opcode and its byte offset. Nothing is executed.
 */
export function readPickle(bytes: Uint8Array, file?: string): PickleValue {
  return readPickleAt(bytes, 0, file).value;
}

/**
 * `readPickle` of the pickle starting at byte `start` (error offsets stay file offsets); also
 * returns `end`, the offset after its STOP, for files that hold several pickles in a row (legacy
 * `.pth`). With `ext`, the opcodes of EXTENDED go to its hooks instead of being refused.
 */
export function readPickleAt(
  bytes: Uint8Array,
  start: number,
  file?: string,
  ext?: PickleExtensions,
): { value: PickleValue; end: number } {
  const where = file ?? '<pickle>';
  const fail = (msg: string, offset: number, hint?: string): never => {
    if (hint === undefined && bytes.length > start && bytes[start] !== 0x80) {
      hint = 'the file does not start with a pickle protocol header (0x80): is it a pickle, and complete?';
    }
    throw new AttncError('ATTNC_DATA_PICKLE', `${where}: ${msg} at byte ${offset}`, {
      ...(file === undefined ? {} : { path: file }),
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const refuse: Refuse = (message, hint) => fail(message, opStart, hint ?? 'this reader accepts only what a PyTorch state_dict needs');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo: StackItem[] = []; // dense in practice (Python numbers memo entries 0, 1, 2...)
  let memoSize = 0;
  const memoSet = (idx: number, v: StackItem) => {
    if (idx > memo.length + 1_000_000) fail(`malformed pickle: memo index ${idx} out of range`, opStart);
    if (memo[idx] === undefined) memoSize++;
    memo[idx] = v;
  };
  let pos = start;
  let opStart = start;

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated pickle: ${opLabel(bytes[opStart]!)} needs ${n} more bytes`, opStart);
  };
  const u8 = () => { need(1); return bytes[pos++]!; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} runs past the end of the data`, opStart);
    return Number(v);
  };
  const take = (n: number) => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated pickle: ${opLabel(bytes[opStart]!)} has no end of line`, opStart);
    const s = latin1(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): StackItem => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) {
      fail(`malformed pickle: ${opLabel(bytes[opStart]!)} on an empty stack`, opStart);
    }
    return stack.pop()!;
  };
  const top = (): StackItem => {
    if (stack.length === 0) fail(`malformed pickle: ${opLabel(bytes[opStart]!)} on an empty stack`, opStart);
    return stack[stack.length - 1]!;
  };
  const popMark = (): StackItem[] => {
    const m = marks.pop();
    if (m === undefined) fail(`malformed pickle: ${opLabel(bytes[opStart]!)} without MARK`, opStart);
    return stack.splice(m!);
  };
  const value = (item: StackItem): PickleValue => (item instanceof Tuple ? item.items : item);
  const values = (items: StackItem[]): PickleValue[] => {
    for (let i = 0; i < items.length; i++) if (items[i] instanceof Tuple) items[i] = (items[i] as Tuple).items;
    return items as PickleValue[];
  };
  const list = (item: StackItem): PickleValue[] => {
    if (!Array.isArray(item)) fail(`malformed pickle: ${opLabel(bytes[opStart]!)} on a non-list`, opStart);
    return item as PickleValue[];
  };
  const dictOf = (item: StackItem): { [k: string]: PickleValue } => {
    if (item === null || typeof item !== 'object' || Array.isArray(item) || item instanceof Tuple) {
      fail(`malformed pickle: ${opLabel(bytes[opStart]!)} on a non-dict`, opStart);
    }
    return item as { [k: string]: PickleValue };
  };
  const setItem = (d: { [k: string]: PickleValue }, k: StackItem, v: StackItem) => {
    let key: string;
    if (typeof k === 'string') key = k;
    else if ((typeof k === 'number' && Number.isInteger(k)) || typeof k === 'bigint') key = String(k);
    else {
      return fail(
        `unsupported dict key of type ${k === null ? 'None' : k instanceof Tuple ? 'tuple' : typeof k}`,
        opStart,
        'only str and int dict keys are supported',
      );
    }
    if (key === '__proto__') Object.defineProperty(d, key, { value: value(v), enumerable: true, writable: true, configurable: true });
    else d[key] = value(v);
  };
  const parseIntText = (s: string): number | bigint => {
    const t = s.trim().replace(/L$/, '');
    if (!/^[-+]?\d+$/.test(t)) fail(`malformed integer literal ${JSON.stringify(s)}`, opStart);
    return toIntValue(BigInt(t));
  };
  const longBytes = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return toIntValue(v);
  };

  for (;;) {
    opStart = pos;
    if (pos >= bytes.length) {
      fail(bytes.length === start ? 'empty file, not a pickle' : 'truncated pickle: no STOP opcode', pos);
    }
    const op = bytes[pos++]!;
    if (UNSAFE.has(op) && !(ext && EXTENDED.has(op))) {
      fail(
        `refusing pickle opcode ${opLabel(op)}`,
        opStart,
        'only plain lists/dicts/strings/numbers are read; pickles that import or build Python objects can run code. ' +
          'Re-save the data with plain types (e.g. convert arrays with .tolist()) or as JSON',
      );
    }
    switch (op) {
      case 0x80: { // PROTO
        const p = u8();
        if (p > 5) fail(`unsupported pickle protocol ${p}`, opStart);
        break;
      }
      case 0x95: u64(); break; // FRAME: a size hint only
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length > 0) fail('malformed pickle: STOP with a stack that is not one value', opStart);
        return { value: value(stack[0]!), end: pos };
      }
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x30: { // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      }
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: stack.push(i32()); break;
      case 0x4b: stack.push(u8()); break;
      case 0x4d: stack.push(u16()); break;
      case 0x49: { // INT (protocol 0; "I01"/"I00" are True/False)
        const s = line();
        if (s === '01') stack.push(true);
        else if (s === '00') stack.push(false);
        else stack.push(parseIntText(s));
        break;
      }
      case 0x4c: stack.push(parseIntText(line())); break; // LONG
      case 0x8a: stack.push(longBytes(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('negative LONG4 length', opStart);
        stack.push(longBytes(take(n)));
        break;
      }
      case 0x46: { // FLOAT
        const s = line().trim();
        const v = Number(s);
        if (s === '' || (Number.isNaN(v) && !/^[-+]?nan$/i.test(s))) fail(`malformed float literal ${JSON.stringify(s)}`, opStart);
        stack.push(v);
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x53: stack.push(parseReprString(line(), () => fail('malformed STRING literal', opStart))); break;
      case 0x54: { // BINSTRING
        const n = i32();
        if (n < 0) fail('negative BINSTRING length', opStart);
        stack.push(latin1(take(n)));
        break;
      }
      case 0x55: stack.push(latin1(take(u8()))); break; // SHORT_BINSTRING
      case 0x43: stack.push(latin1(take(u8()))); break; // SHORT_BINBYTES
      case 0x42: stack.push(latin1(take(u32()))); break; // BINBYTES
      case 0x8e: stack.push(latin1(take(u64()))); break; // BINBYTES8
      case 0x56: stack.push(rawUnicodeEscape(line())); break; // UNICODE
      case 0x58: case 0x8c: case 0x8d: { // BINUNICODE / SHORT_BINUNICODE / BINUNICODE8
        const n = op === 0x58 ? u32() : op === 0x8c ? u8() : u64();
        const b = take(n);
        try {
          stack.push(utf8.decode(b));
        } catch {
          // Python writes lone surrogates with 'surrogatepass'; accept them instead of failing.
          stack.push(decodeSurrogatePass(b) ?? fail('invalid UTF-8 in a unicode string', opStart));
        }
        break;
      }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(values(popMark())); break; // LIST
      case 0x61: { const v = pop(); list(top()).push(value(v)); break; } // APPEND
      case 0x65: { // APPENDS
        const items = values(popMark());
        const l = list(top());
        for (let i = 0; i < items.length; i++) l.push(items[i]!);
        break;
      }
      case 0x29: stack.push(new Tuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(new Tuple(values(popMark()))); break; // TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        const items: StackItem[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(new Tuple(items.map(value)));
        break;
      }
      case 0x7d: stack.push({}); break; // EMPTY_DICT
      case 0x64: { // DICT
        const items = popMark();
        if (items.length % 2) fail('malformed pickle: DICT with an odd number of items', opStart);
        const d: { [k: string]: PickleValue } = {};
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!);
        stack.push(d);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItem(dictOf(top()), k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('malformed pickle: SETITEMS with an odd number of items', opStart);
        const d = dictOf(top());
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i]!, items[i + 1]!);
        break;
      }
      case 0x70: memoSet(Number(parseIntText(line())), top()); break; // PUT
      case 0x71: memoSet(u8(), top()); break; // BINPUT
      case 0x72: memoSet(u32(), top()); break; // LONG_BINPUT
      case 0x94: memoSet(memoSize, top()); break; // MEMOIZE
      case 0x67: case 0x68: case 0x6a: { // GET / BINGET / LONG_BINGET
        const idx = op === 0x67 ? Number(parseIntText(line())) : op === 0x68 ? u8() : u32();
        if (idx >= memo.length || memo[idx] === undefined) fail(`malformed pickle: memo entry ${idx} was never stored`, opStart);
        stack.push(memo[idx]!);
        break;
      }
      case 0x63: case 0x93: { // GLOBAL / STACK_GLOBAL (only with ext)
        let mod: StackItem;
        let name: StackItem;
        if (op === 0x63) { mod = line(); name = line(); } else { name = pop(); mod = pop(); }
        if (typeof mod !== 'string' || typeof name !== 'string') fail(`malformed pickle: ${opLabel(op)} without names`, opStart);
        stack.push(ext!.global(mod as string, name as string, refuse) as StackItem);
        break;
      }
      case 0x52: { // REDUCE (only with ext)
        const args = pop();
        const callable = pop();
        if (!(args instanceof Tuple)) fail('malformed pickle: REDUCE arguments are not a tuple', opStart);
        stack.push(ext!.reduce(callable, (args as Tuple).items, refuse) as StackItem);
        break;
      }
      case 0x62: { // BUILD (only with ext)
        const state = value(pop());
        stack.push(ext!.build(pop(), state, refuse) as StackItem);
        break;
      }
      case 0x51: stack.push(ext!.persistentLoad(value(pop()), refuse) as StackItem); break; // BINPERSID (only with ext)
      default:
        fail(
          `unsupported pickle opcode ${opLabel(op)}`,
          opStart,
          'only lists, tuples, dicts, str/bytes, int, float, bool and None are supported',
        );
    }
  }
}

/** Protocol-0 STRING argument: a Python 2 `repr()` of a byte string, quoted and escaped. */
function parseReprString(s: string, bad: () => never): string {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s.length < 2 || s[s.length - 1] !== q) bad();
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') { out += c; continue; }
    const n = body[++i];
    switch (n) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': case "'": case '"': out += n; break;
      case 'x': {
        const h = body.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) bad();
        out += String.fromCharCode(parseInt(h, 16));
        i += 2;
        break;
      }
      default: {
        const m = /^[0-7]{1,3}/.exec(body.slice(i));
        if (!m) bad();
        out += String.fromCharCode(parseInt(m![0], 8) & 0xff);
        i += m![0].length - 1;
      }
    }
  }
  return out;
}

/** Protocol-0 UNICODE argument: latin1 text with `\uXXXX` / `\UXXXXXXXX` escapes. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) =>
    String.fromCodePoint(parseInt((a ?? b)!, 16)),
  );
}

function decodeSurrogatePass(b: Uint8Array): string | undefined {
  let out = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) { out += String.fromCharCode(c); i += 1; continue; }
    const n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n === 0 || i + n > b.length) return undefined;
    let cp = c & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (d & 0x3f);
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writer

class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private ensure(n: number) {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number) { this.ensure(1); this.buf[this.length++] = b; }
  bytes(b: Uint8Array) { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  u16(v: number) { this.ensure(2); new DataView(this.buf.buffer).setUint16(this.length, v, true); this.length += 2; }
  i32(v: number) { this.ensure(4); new DataView(this.buf.buffer).setInt32(this.length, v, true); this.length += 4; }
  u32(v: number) { this.ensure(4); new DataView(this.buf.buffer).setUint32(this.length, v, true); this.length += 4; }
  f64be(v: number) { this.ensure(8); new DataView(this.buf.buffer).setFloat64(this.length, v, false); this.length += 8; }
  result() { return this.buf.slice(0, this.length); }
}

const utf8Encoder = new TextEncoder();
const BATCH = 1000; // Python's pickle batches APPENDS/SETITEMS by 1000 too.

/**
 * Write `value` as a protocol-2 pickle that Python 2 and 3 `pickle.load` read back as plain
 * lists/dicts/str/int/float/bool/None. Strings are BINUNICODE (Python 2 `unicode`, Python 3 `str`).
 * An integral JS number is written as an int (BININT1/BININT2/BININT, LONG1 beyond 32 bits), any
 * other number as a float (BINFLOAT); bigints are ints. Plain-object keys are str; use a `Map` for
 * int keys. No memo is written, so a shared sub-list is written twice (it reads back equal).
 */
export function writePickle(value: PickleWritable, opts: { protocol?: 2 } = {}): Uint8Array {
  const protocol = opts.protocol ?? 2;
  if (protocol !== 2) throw new AttncError('ATTNC_DATA_PICKLE', `writePickle: only protocol 2 is supported, got ${String(protocol)}`);
  const w = new ByteWriter();
  w.byte(0x80);
  w.byte(2);
  const active = new Set<object>();
  const writeInt = (v: bigint) => {
    if (v >= 0n && v < 256n) { w.byte(0x4b); w.byte(Number(v)); return; }
    if (v >= 0n && v < 65536n) { w.byte(0x4d); w.u16(Number(v)); return; }
    if (v >= -(2n ** 31n) && v < 2n ** 31n) { w.byte(0x4a); w.i32(Number(v)); return; }
    // LONG1: little-endian two's complement, shortest form.
    const out: number[] = [];
    let x = v;
    for (;;) {
      out.push(Number(x & 0xffn));
      x >>= 8n;
      const last = out[out.length - 1]!;
      if ((x === 0n && !(last & 0x80)) || (x === -1n && last & 0x80)) break;
    }
    if (out.length > 255) throw new AttncError('ATTNC_DATA_PICKLE', 'writePickle: integer too large');
    w.byte(0x8a);
    w.byte(out.length);
    w.bytes(Uint8Array.from(out));
  };
  const writeKey = (k: string | number | bigint) => {
    if (typeof k === 'string') write(k);
    else if (typeof k === 'bigint' || Number.isInteger(k)) writeInt(BigInt(k));
    else throw new AttncError('ATTNC_DATA_PICKLE', `writePickle: dict key ${k} is not an int or a string`);
  };
  const write = (v: PickleWritable): void => {
    if (v === null) { w.byte(0x4e); return; }
    if (v === true) { w.byte(0x88); return; }
    if (v === false) { w.byte(0x89); return; }
    if (typeof v === 'bigint') { writeInt(v); return; }
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) writeInt(BigInt(v));
      else { w.byte(0x47); w.f64be(v); }
      return;
    }
    if (typeof v === 'string') {
      const b = utf8Encoder.encode(v);
      w.byte(0x58);
      w.u32(b.length);
      w.bytes(b);
      return;
    }
    if (typeof v !== 'object') throw new AttncError('ATTNC_DATA_PICKLE', `writePickle: cannot pickle a ${typeof v}`);
    if (active.has(v)) throw new AttncError('ATTNC_DATA_PICKLE', 'writePickle: value contains a cycle');
    active.add(v);
    if (Array.isArray(v)) {
      w.byte(0x5d);
      for (let i = 0; i < v.length; i += BATCH) {
        const chunk = v.slice(i, i + BATCH);
        if (chunk.length === 1) { write(chunk[0]!); w.byte(0x61); continue; }
        w.byte(0x28);
        for (const x of chunk) write(x);
        w.byte(0x65);
      }
    } else {
      const entries: [string | number | bigint, PickleWritable][] =
        v instanceof Map ? [...v.entries()] : Object.entries(v);
      w.byte(0x7d);
      for (let i = 0; i < entries.length; i += BATCH) {
        const chunk = entries.slice(i, i + BATCH);
        if (chunk.length === 1) { writeKey(chunk[0]![0]); write(chunk[0]![1]); w.byte(0x73); continue; }
        w.byte(0x28);
        for (const [k, x] of chunk) { writeKey(k); write(x); }
        w.byte(0x75);
      }
    }
    active.delete(v);
  };
  write(value);
  w.byte(0x2e);
  return w.result();
}
