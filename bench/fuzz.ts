// `npm run bench -- fuzz` (or `npx tsx bench/fuzz.ts [--cases 2000] [--seed 1] [--bombs-only]`): the
// long run of the reader fuzzer of test/fuzz (every reader, `--cases` seeded mutations each), then
// full-size decompression bombs through the image decoder: time and memory to refuse each.
import { once } from 'node:events';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DecodePool } from '../runtime/data/decode-pool.js';
import { decodeImage } from '../runtime/data/images.js';
import { isAttncError } from '../runtime/util/errors.js';
import { runFuzz } from '../test/fuzz/harness.js';
import type { FuzzKind } from '../test/fuzz/harness.js';
import { READERS } from '../test/fuzz/readers.js';
import { jpegDeclaring } from '../test/runtime/data/hostile-files.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const MiB = 2 ** 20;
const casesPerReader = arg('cases', 2000);
const seed = arg('seed', 1);

/** Deflate `rows` rows of `rowBytes` zeros without ever holding them uncompressed. */
async function deflateZeros(rowBytes: number, rows: number): Promise<Buffer> {
  const d = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const block = Buffer.alloc(rowBytes * 64);
  for (let i = 0; i < rows; i += 64) {
    if (!d.write(block.subarray(0, rowBytes * Math.min(64, rows - i)))) await once(d, 'drain');
  }
  d.end();
  await once(d, 'end');
  return Buffer.concat(parts);
}

/** A real PNG bomb: `w × h` RGB whose first `rows` rows of zeros are deflated into its IDAT. */
async function pngBomb(w: number, h: number, rows = h): Promise<Buffer> {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', await deflateZeros(w * 3 + 1, rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function main(): Promise<void> {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`reader fuzzing: ${READERS.length} readers × ${casesPerReader} cases, seed ${seed}; ${os.cpus().length} CPUs, load ${load}`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'attnc-bench-fuzz-'));
  if (!process.argv.includes('--bombs-only')) {
    const s = await runFuzz(READERS, { casesPerReader, seed, workDir: work });
    const kinds: FuzzKind[] = ['ok', 'error', 'crash', 'unnamed', 'escape', 'slow', 'memory'];
    console.log(`| reader | ${kinds.join(' | ')} |`);
    console.log(`|---|${kinds.map(() => '---:').join('|')}|`);
    for (const [name, c] of Object.entries(s.byReader)) console.log(`| ${name} | ${kinds.map((k) => c[k] ?? 0).join(' | ')} |`);
    console.log(
      `\n${s.cases} cases in ${s.seconds.toFixed(1)} s (${((s.seconds * 1000) / s.cases).toFixed(2)} ms/case); slowest case ${s.maxMs.toFixed(0)} ms; ` +
        `largest heap+ArrayBuffer growth of one case ${(s.maxGrowth / MiB).toFixed(1)} MiB; peak RSS ${(s.peakRss / MiB).toFixed(0)} MiB; ` +
        `${s.failures.length} failures; bait reads ${s.baitWatched ? 'watched (access times)' : 'NOT watched (noatime)'}`,
    );
    if (s.slowest) console.log(`slowest: ${s.slowest.reader} [${s.slowest.seed}; ${s.slowest.ops.join(', ')}] ${s.slowest.kind}: ${s.slowest.detail.split('\n')[0]!.slice(0, 160)}`);
    for (const f of s.failures.slice(0, 20)) console.log(`  FAIL ${f.reader} [${f.seed}; ${f.ops.join(', ')}] ${f.kind}: ${f.detail.split('\n')[0]}`);
    if (s.failures.length) process.exitCode = 1;
  }

  console.log('\ndecompression bombs (main thread, default limits):');
  console.log('| file | size on disk | refused in | heap+ArrayBuffer growth | message |');
  console.log('|---|---:|---:|---:|---|');
  const bombs: [string, Uint8Array][] = [
    ['PNG 16,000 × 16,000 (all 768 MB of pixel data, deflated)', await pngBomb(16_000, 16_000)],
    ['PNG 100,000 × 100,000 (first 100 rows deflated)', await pngBomb(100_000, 100_000, 100)],
    ['JPEG 16,000 × 16,000 (SOF patched)', jpegDeclaring(16_000, 16_000)],
    ['JPEG 65,535 × 65,535 (SOF patched)', jpegDeclaring(65_535, 65_535)],
  ];
  for (const [name, bytes] of bombs) {
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    let msg = 'decoded!';
    try {
      decodeImage(bytes, name);
    } catch (e) {
      msg = isAttncError(e) ? e.message.slice(name.length + 2) : `CRASH ${String(e)}`;
    }
    const ms = performance.now() - t0;
    const m1 = process.memoryUsage();
    const grew = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
    console.log(`| ${name} | ${(bytes.length / 1024).toFixed(0)} KiB | ${ms.toFixed(2)} ms | ${(grew / MiB).toFixed(2)} MiB | ${msg} |`);
  }
  // The same refusal in a decode worker (the job carries the limits); includes the message round trip.
  const pool = new DecodePool(1);
  try {
    const warm = path.join(work, 'warm.png');
    await fs.writeFile(warm, bombs[1]![1]);
    await pool.run({ imagePath: warm, bbox: undefined, imageSizes: [64], augment: false, seed: 0 }).catch(() => undefined); // worker start-up
    for (const [name, bytes] of bombs) {
      const file = path.join(work, 'bomb.img');
      await fs.writeFile(file, bytes);
      const t0 = performance.now();
      const msg = await pool.run({ imagePath: file, bbox: undefined, imageSizes: [64], augment: false, seed: 0 }).then(
        () => 'decoded!',
        (e: unknown) => (isAttncError(e) ? e.message.slice(file.length + 2) : `CRASH ${String(e)}`),
      );
      console.log(`worker: ${name}: refused in ${(performance.now() - t0).toFixed(2)} ms (${msg})`);
    }
  } finally {
    await pool.close();
  }
  console.log(`peak RSS of the whole run ${((process.resourceUsage().maxRSS * 1024) / MiB).toFixed(0)} MiB; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await fs.rm(work, { recursive: true, force: true });
}

await main();
