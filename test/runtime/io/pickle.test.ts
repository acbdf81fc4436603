import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPickle, writePickle } from '../../../runtime/io/pickle.js';
import type { PickleValue } from '../../../runtime/io/pickle.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { FIXTURES } from '../data/make-fixtures.js';

const P = (name: string) => path.join(FIXTURES, 'pickles', name);

function fromExpectedJson(v: unknown): PickleValue {
  if (Array.isArray(v)) return v.map(fromExpectedJson);
  if (v && typeof v === 'object') {
    if ('bigint' in v && Object.keys(v).length === 1) return BigInt((v as { bigint: string }).bigint);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromExpectedJson(x)]));
  }
  return v as PickleValue;
}

function errorOf(fn: () => unknown): AttncError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AttncError);
    return e as AttncError;
  }
  throw new Error('expected an AttncError');
}

describe('readPickle on pickles written by Python', () => {
  const expected = fromExpectedJson(JSON.parse(fs.readFileSync(P('mixed_expected.json'), 'utf8')));
  for (const proto of [0, 1, 2, 3, 4, 5]) {
    it(`reads protocol ${proto}`, () => {
      expect(readPickle(fs.readFileSync(P(`mixed_p${proto}.pickle`)))).toEqual(expected);
    });
  }

  it('reads a Python-2 protocol-2 pickle: str as latin1, unicode as UTF-8, LONG1, memo', () => {
    expect(readPickle(fs.readFileSync(P('py2_style_p2.pickle')))).toEqual([
      ['002.Laysan_Albatross/Laysan_Albatross_0002_1027', 'caf\u00e9', 'b'.repeat(300)],
      { 0: '<end>', 1: 'bird' },
      [5, 300, 70000, 2 ** 40],
      'na\u00efve',
      true,
      null,
      0.5,
      'caf\u00e9',
    ]);
  });
});

describe('readPickle refuses anything but plain data', () => {
  it.each([
    ['evil_global_reduce_p2.pickle', 'GLOBAL'],
    ['evil_stack_global_p4.pickle', 'STACK_GLOBAL'],
    ['set_p4.pickle', 'EMPTY_SET'],
    ['unknown_opcode.pickle', 'unknown opcode 0xff'],
  ])('%s → names the file, %s and the byte offset', (name, op) => {
    const file = P(name);
    const bytes = fs.readFileSync(file);
    const err = errorOf(() => readPickle(bytes, file));
    expect(err.code).toBe('ATTNC_DATA_PICKLE');
    expect(err.path).toBe(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain(op);
    const offset = Number(/at byte (\d+)/.exec(err.message)?.[1]);
    expect(Number.isInteger(offset)).toBe(true);
    expect(bytes[offset]).toBe(op.startsWith('unknown') ? 0xff : op === 'GLOBAL' ? 0x63 : op === 'STACK_GLOBAL' ? 0x93 : 0x8f);
  });

  it('gives REDUCE/BUILD/INST/OBJ/NEWOBJ their names', () => {
    for (const [op, name] of [[0x52, 'REDUCE'], [0x62, 'BUILD'], [0x69, 'INST'], [0x6f, 'OBJ'], [0x81, 'NEWOBJ']] as const) {
      const err = errorOf(() => readPickle(Uint8Array.of(0x80, 2, 0x4e, op, 0x2e), 'x.pickle'));
      expect(err.message).toMatch(new RegExp(`x\\.pickle: refusing pickle opcode ${name} .* at byte 3`));
    }
  });

  it('reports truncated and empty pickles', () => {
    const good = writePickle([[1, 2, 3], 'abc']);
    for (let n = 1; n < good.length; n++) {
      const err = errorOf(() => readPickle(good.subarray(0, n), 'cut.pickle'));
      expect(err.message).toMatch(/^cut\.pickle: (truncated pickle|malformed pickle)/);
    }
    expect(errorOf(() => readPickle(new Uint8Array(0), 'e.pickle')).message).toContain('empty file');
  });

  it('rejects dict keys that are not str/int', () => {
    // {(1,2): 3} in protocol 2: EMPTY_DICT, K1 K2 TUPLE2, K3, SETITEM
    const err = errorOf(() => readPickle(Uint8Array.of(0x80, 2, 0x7d, 0x4b, 1, 0x4b, 2, 0x86, 0x4b, 3, 0x73, 0x2e), 'd.pickle'));
    expect(err.message).toContain('dict key of type tuple');
  });

  it('does not let a "__proto__" key touch the prototype', () => {
    const v = readPickle(writePickle({ ['__proto__' as string]: 1 } as never)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    const bytes = Uint8Array.of(0x80, 2, 0x7d, 0x8c, 9, ...new TextEncoder().encode('__proto__'), 0x4b, 7, 0x73, 0x2e);
    const d = readPickle(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(Object.keys(d)).toEqual(['__proto__']);
    expect(d['__proto__']).toBe(7);
  });
});

describe('writePickle', () => {
  it('round-trips lists, dicts, ints of every width, floats, bigints, unicode', () => {
    const value: PickleValue = [
      [0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53 - 1],
      { a: 'h\u00e9llo \u2603 \u{1F426}', b: [true, false, null, 1.5, -0.25] },
      2n ** 70n,
      -(2n ** 70n),
      Array.from({ length: 2500 }, (_, i) => i),
    ];
    expect(readPickle(writePickle(value))).toEqual(value);
  });

  it('writes Map keys that are numbers as Python ints', () => {
    const bytes = writePickle(new Map<number, PickleValue>([[0, '<end>'], [1, 'bird']]));
    // PROTO 2, EMPTY_DICT, MARK, K 0, X len '<end>', K 1, X ..., SETITEMS, STOP
    expect([...bytes.subarray(0, 6)]).toEqual([0x80, 2, 0x7d, 0x28, 0x4b, 0]);
    expect(readPickle(bytes)).toEqual({ 0: '<end>', 1: 'bird' });
  });

  it('matches the committed golden that Python checked (make_pickles.py loads it with pickle.load)', () => {
    const value = new Map<string | number, PickleValue | Map<number, string>>([
      ['keys', ['002.Laysan_Albatross/Laysan_Albatross_0002_1027', 'caf\u00e9 \u2603']],
      ['ints', [0, 255, 256, 65535, 65536, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1]],
      ['big', 2n ** 70n],
      ['floats', [0.5, -1e-300]],
      ['flags', [true, false, null]],
      ['ixtoword', new Map([[0, '<end>'], [1, 'bird']])],
      [7, Array.from({ length: 1001 }, (_, i) => i % 3)],
    ]);
    const bytes = writePickle(value as never);
    const golden = P('attnc_written_p2.pickle');
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, bytes);
    expect(Buffer.from(bytes).equals(fs.readFileSync(golden))).toBe(true);
  });

  it('refuses cycles', () => {
    const a: PickleValue[] = [];
    a.push(a);
    expect(() => writePickle(a)).toThrow(/cycle/);
  });
});
