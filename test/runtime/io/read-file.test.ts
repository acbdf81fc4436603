import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText, invalidUtf8Offset, listLines, readBoundedFile } from '../../../runtime/io/read-file.js';
import { rng } from '../../fuzz/mutate.js';
import { tmpDir } from '../data/make-fixtures.js';

describe('the shared text rule', () => {
  it('invalidUtf8Offset agrees with the WHATWG strict decoder on 10,000 random byte strings', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const r = rng(14);
    const pool = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x90, 0x8f];
    let invalid = 0;
    const mismatches: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      const b = Uint8Array.from({ length: 1 + r.int(6) }, () => (r.next() < 0.8 ? r.pick(pool) : r.int(256)));
      let ok = true;
      try {
        strict.decode(b);
      } catch {
        ok = false;
      }
      const off = invalidUtf8Offset(b);
      let prefixOk = true;
      if (!ok) {
        invalid++;
        try {
          strict.decode(b.subarray(0, off)); // everything before the offset is valid
        } catch {
          prefixOk = false;
        }
      }
      if ((off === -1) !== ok || !prefixOk) mismatches.push([...b].map((x) => x.toString(16)).join(' '));
    }
    expect(mismatches).toEqual([]);
    expect(invalid).toBeGreaterThan(2500);
  });

  it('BOM dropped, NUL refused, lines numbered', () => {
    expect(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'f', 'ATTNC_DATA_CAPTIONS', 'x')).toBe('a');
    expect(() => decodeText(Uint8Array.from([0x61, 0x00]), 'f', 'ATTNC_DATA_CAPTIONS', 'caption file')).toThrow('f: caption file contains a NUL byte at byte 1');
    expect(listLines(' a \r\n\n  \nb\n')).toEqual([{ line: 1, text: 'a' }, { line: 4, text: 'b' }]);
  });

  it('reads only regular files under the size bound', async () => {
    const dir = await tmpDir('read-file');
    const f = path.join(dir, 'big.txt');
    await fs.writeFile(f, 'x'.repeat(1000));
    const opts = { code: 'ATTNC_DATA_SPLIT', what: 'list file', maxBytes: 999 } as const;
    await expect(readBoundedFile(f, opts)).rejects.toThrow(`${f}: list file is 1000 bytes, over the limit of 999`);
    expect((await readBoundedFile(f, { ...opts, maxBytes: 1000 })).length).toBe(1000);
    await expect(readBoundedFile(dir, opts)).rejects.toThrow(`${dir}: list file is a directory`);
    await expect(readBoundedFile(path.join(dir, 'nope'), opts)).rejects.toThrow(`${path.join(dir, 'nope')}: list file not found`);
    await expect(readBoundedFile('/dev/zero', opts)).rejects.toThrow('/dev/zero: list file is not a regular file (a device, pipe or socket)');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
