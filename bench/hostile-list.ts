/**
 * How fast a hostile list fails: a CUB `train/filenames.pickle` of 10 million entries naming one
 * missing file, without class_info.pickle or captions (issue 20, item 15). `npx tsx bench/hostile-list.ts [--n 10000000]`
 *
 * The pickle is written as Python writes such a list (one string memoised, then BINGET per entry,
 * APPENDS per 1,000: 20 MB). Reported: reading + parsing the pickle alone, and openDataset until
 * its error (the missing caption file), each the median of 3.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDataset } from '../runtime/data/dataset.js';
import { readPickleFile } from '../runtime/data/metadata.js';

const i = process.argv.indexOf('--n');
const N = i >= 0 ? Number(process.argv[i + 1]) : 10_000_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-hostile-list-'));
const key = '001.Black_footed_Albatross/Black_Footed_Albatross_0001';

function memoisedList(n: number): Uint8Array {
  const k = Buffer.from(key, 'utf8');
  const head = [0x80, 0x02, 0x5d, 0x71, 0x00]; // PROTO 2, EMPTY_LIST, BINPUT 0
  const out: number[] = [...head];
  const chunks: Buffer[] = [];
  let first = true;
  for (let done = 0; done < n; ) {
    const m = Math.min(1000, n - done);
    const b: number[] = [0x28]; // MARK
    for (let j = 0; j < m; j++) {
      if (first) { b.push(0x58, k.length & 0xff, (k.length >> 8) & 0xff, 0, 0, ...k, 0x71, 0x01); first = false; } // BINUNICODE, BINPUT 1
      else b.push(0x68, 0x01); // BINGET 1
    }
    b.push(0x65); // APPENDS
    chunks.push(Buffer.from(b));
    done += m;
  }
  return Buffer.concat([Buffer.from(out), ...chunks, Buffer.from([0x2e])]);
}

fs.mkdirSync(path.join(root, 'train'), { recursive: true });
const file = path.join(root, 'train', 'filenames.pickle');
fs.writeFileSync(file, memoisedList(N));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const parse: number[] = [];
const open: number[] = [];
let message = '';
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  await readPickleFile(file, 'filenames pickle');
  parse.push(performance.now() - t0);
  t0 = performance.now();
  try {
    await openDataset({ kind: 'cub', root, split: 'train', capsPerImage: 10, wordsNum: 18, imageSizes: [64], augment: false, onBadFile: 'error', seed: 0 });
  } catch (e) {
    message = (e as Error).message;
  }
  open.push(performance.now() - t0);
}
console.log(`${N.toLocaleString('en-US')} keys, ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB pickle; load ${os.loadavg()[0]!.toFixed(2)}`);
console.log(`  read + parse the pickle      ${(median(parse) / 1000).toFixed(2)} s`);
console.log(`  openDataset until its error  ${(median(open) / 1000).toFixed(2)} s  (${message.replace(root, '<root>')})`);
fs.rmSync(root, { recursive: true, force: true });
