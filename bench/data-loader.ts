/**
 * Data-loading stall: how long a training loop waits for its next batch, with and without
 * prefetching and image worker threads. `npx tsx bench/data-loader.ts [--images 64] [--batch 16] [--step ms]`
 *
 * A CUB-like folder (500×375 JPEGs, bounding boxes, 10 captions) is written to a temp dir. The
 * consumer does a fixed amount of "training" per batch in one of two ways:
 *  - blocking: busy-waits on the JS thread, like a tfjs step on the CPU or native backend (their
 *    kernels run synchronously on the calling thread);
 *  - async:    awaits a timer, like a step whose compute runs elsewhere (a GPU queue, a worker).
 * stall = time the consumer spends waiting in `next()` for a batch, per batch (second epoch, warm).
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { disposeBatch, openDataset } from '../runtime/data/dataset.js';
import type { Dataset } from '../runtime/data/dataset.js';
import { encodeJpeg } from '../runtime/data/images.js';
import { writeClassInfoPickle, writeFilenamesPickle } from '../runtime/data/metadata.js';
import { Rng } from '../runtime/util/rng.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N_IMAGES = arg('images', 64);
const BATCH = arg('batch', 16);
// Default step: 1.25 × the measured load time of one batch, so a perfect pipeline hides all loading.
let STEP_MS = arg('step', 0);

async function put(file: string, data: Uint8Array | string) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
}

async function makeCubLike(root: string): Promise<void> {
  const rng = Rng.stream(7);
  const W = 500, H = 375;
  const keys: string[] = [];
  const words = 'this bird has a small red crown white belly long black wings and short pointed beak'.split(' ');
  for (let i = 0; i < N_IMAGES; i++) {
    const key = `001.Bench/bench_${String(i).padStart(4, '0')}`;
    keys.push(key);
    // Smooth colour field plus noise: compresses like a photo (~30–60 KB), not like a flat image.
    const data = new Uint8Array(W * H * 3);
    const f = 0.01 + rng.next() * 0.03;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 3;
        const n = (rng.next() - 0.5) * 40;
        data[o] = 128 + 100 * Math.sin(x * f + i) + n;
        data[o + 1] = 128 + 100 * Math.cos(y * f * 1.3) + n;
        data[o + 2] = 128 + 80 * Math.sin((x + y) * f * 0.7) + n;
      }
    }
    await put(path.join(root, 'CUB_200_2011', 'images', `${key}.jpg`), encodeJpeg({ data, width: W, height: H }, 85));
    const caps = Array.from({ length: 10 }, (_, j) => Array.from({ length: 8 + ((i + j) % 14) }, (_, k) => words[(i * 3 + j * 5 + k) % words.length]).join(' '));
    await put(path.join(root, 'text', `${key}.txt`), caps.join('\n') + '\n');
  }
  await put(path.join(root, 'CUB_200_2011', 'images.txt'), keys.map((k, i) => `${i + 1} ${k}.jpg\n`).join(''));
  await put(path.join(root, 'CUB_200_2011', 'bounding_boxes.txt'), keys.map((_, i) => `${i + 1} ${60 + (i % 50)}.0 ${40 + (i % 30)}.0 ${300 - (i % 80)}.0 ${250 - (i % 60)}.0\n`).join(''));
  for (const split of ['train', 'test']) {
    const ks = split === 'train' ? keys : keys.slice(0, 1);
    await put(path.join(root, split, 'filenames.pickle'), writeFilenamesPickle(ks));
    await put(path.join(root, split, 'class_info.pickle'), writeClassInfoPickle(ks.map(() => 1)));
  }
}

function busyWait(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the JS thread is occupied, as in a synchronous tfjs step */ }
}

/** stallMs: mean wait for batches 2..n (the first batch of an epoch always waits). */
interface Result { epochMs: number; stallMs: number; firstMs: number; batches: number }

async function epoch(ds: Dataset, mode: 'none' | 'blocking' | 'async', prefetch: number, workers: number, seed: number): Promise<Result> {
  const t0 = performance.now();
  const it = ds.batches({ batchSize: BATCH, seed, prefetch, workers })[Symbol.asyncIterator]();
  let stall = 0, first = 0, n = 0;
  for (;;) {
    const w0 = performance.now();
    const r = await it.next();
    const waited = performance.now() - w0;
    if (r.done) break;
    if (n === 0) first = waited; else stall += waited;
    n++;
    if (mode === 'blocking') busyWait(STEP_MS);
    else if (mode === 'async') await new Promise((res) => setTimeout(res, STEP_MS));
    disposeBatch(r.value);
  }
  return { epochMs: performance.now() - t0, stallMs: n > 1 ? stall / (n - 1) : 0, firstMs: first, batches: n };
}

async function main() {
  const backend = await initBackend(undefined, { quiet: true });
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'attnc-bench-data-'));
  try {
    const t = performance.now();
    await makeCubLike(root);
    const ds = await openDataset({
      kind: 'cub', root, split: 'train', capsPerImage: 10, wordsNum: 18, imageSizes: [64, 128, 256], augment: true, onBadFile: 'error', seed: 1,
    });
    console.log(`node ${process.version}, tfjs backend ${backend.name}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0]!.toFixed(1)}`);
    const rows: string[][] = [];
    const run = async (mode: 'none' | 'blocking' | 'async', prefetch: number, workers: number) => {
      await epoch(ds, mode, prefetch, workers, 100); // warm-up: JIT, page cache, worker start
      const r = await epoch(ds, mode, prefetch, workers, 101);
      rows.push([mode, String(prefetch), String(workers), (r.epochMs / r.batches).toFixed(0), r.stallMs.toFixed(1), mode === 'none' ? '–' : `${((r.stallMs / STEP_MS) * 100).toFixed(0)}%`]);
      return r;
    };
    const load = await run('none', 0, 0);
    await run('none', 0, 2);
    if (!STEP_MS) STEP_MS = Math.round((1.25 * load.epochMs) / load.batches);
    console.log(`${N_IMAGES} images 500×375 JPEG (bbox crop, ×76/64 resize, 256 crop, flip, pyramid 64/128/256), batch ${BATCH}, step ${STEP_MS} ms; fixture ${((performance.now() - t) / 1000).toFixed(1)} s`);
    for (const mode of ['blocking', 'async'] as const) {
      await run(mode, 0, 0);
      await run(mode, 2, 0);
      await run(mode, 2, 2);
    }
    await ds.close();
    const head = ['step', 'prefetch', 'workers', 'ms/batch', 'stall ms/batch', 'stall / step'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log(`tensors left: ${tf.memory().numTensors}`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
