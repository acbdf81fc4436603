import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isAttncError } from '../../runtime/util/errors.js';
import { mutate, rng } from './mutate.js';

/** A valid file a reader accepts; the fuzzer mutates its bytes. */
export interface FuzzSeed {
  name: string;
  bytes: Uint8Array;
}

/**
 * One reader under fuzz. To add yours (safetensors, .pth, …): one entry in test/fuzz/readers.ts.
 * Each case writes mutated seed bytes to `<root>/<target>` (root: a fresh folder per reader, with
 * `setup`'s files in it; `<root>/../bait/` holds files outside it) and calls `read`.
 */
export interface FuzzReader {
  name: string;
  /** Where the mutated file goes, relative to the reader's dataset folder. */
  target: string;
  seeds(): Promise<FuzzSeed[]>;
  /** AFL-style dictionary: byte strings the mutations insert (markers, opcodes, "../"). */
  tokens?: Uint8Array[];
  /** Other files the reader needs, written once into `root`. */
  setup?(root: string): Promise<void>;
  /**
   * Read `file` the way attnc does. Return the paths of files it resolved from the contents (keys →
   * files), which must all lie inside `root`; throw an AttncError for anything it refuses.
   */
  read(file: string, root: string): Promise<readonly string[] | void>;
}

export type FuzzKind =
  | 'ok' // read succeeded, every resolved path inside the root
  | 'error' // an AttncError naming a file inside the root
  | 'crash' // any other exception (a bug)
  | 'unnamed' // an AttncError that does not name the file
  | 'escape' // a resolved path outside the root, or a bait file outside it was read
  | 'slow' // over the time bound
  | 'memory'; // allocated over the memory bound

export const FAILURES: readonly FuzzKind[] = ['crash', 'unnamed', 'escape', 'slow', 'memory'];

export interface FuzzCase {
  reader: string;
  seed: string;
  ops: string[];
  kind: FuzzKind;
  ms: number;
  detail: string;
}

export interface FuzzSummary {
  cases: number;
  byReader: Record<string, Partial<Record<FuzzKind, number>>>;
  failures: FuzzCase[];
  /** Slowest case, and the largest heap + ArrayBuffer growth of one case (bytes). */
  maxMs: number;
  slowest: FuzzCase | undefined;
  maxGrowth: number;
  /** Peak resident set size of the process (bytes), as the OS reports it. */
  peakRss: number;
  seconds: number;
  /** Whether reads of the bait files could be seen (access times); false on a noatime file system. */
  baitWatched: boolean;
}

export interface FuzzOptions {
  casesPerReader: number;
  seed: number;
  /** Scratch folder (created, not removed). */
  workDir: string;
  /** Per-case bounds (defaults 5 s and 256 MiB). */
  maxMs?: number;
  maxGrowthBytes?: number;
  onCase?(c: FuzzCase): void;
}

const inside = (file: string, dir: string) => {
  const rel = path.relative(dir, path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

function classify(e: unknown, root: string): { kind: FuzzKind; detail: string } {
  if (!isAttncError(e)) return { kind: 'crash', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  // The message starts with the file it concerns (the loader's convention), a file in this dataset.
  const named = e.message.startsWith(root + path.sep) && (!e.path || inside(e.path, root));
  return { kind: named ? 'error' : 'unnamed', detail: `${e.code}: ${e.message}` };
}

const BAIT = ['x.txt', 'x.jpg', 'x.png'];

/** Bait files' access times pushed before their modification times: the next read moves them (relatime). */
async function armBait(dir: string): Promise<void> {
  const now = new Date();
  await Promise.all(BAIT.map((f) => fs.utimes(path.join(dir, f), new Date(1000), now)));
}

async function baitRead(dir: string): Promise<string | undefined> {
  for (const f of BAIT) if ((await fs.stat(path.join(dir, f))).atimeMs !== 1000) return path.join(dir, f);
  return undefined;
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Seeded mutations of every reader's seeds, each case classified (see FuzzKind). */
export async function runFuzz(readers: readonly FuzzReader[], opts: FuzzOptions): Promise<FuzzSummary> {
  const maxMs = opts.maxMs ?? 5000;
  const maxGrowthBytes = opts.maxGrowthBytes ?? 256 * 2 ** 20;
  const summary: FuzzSummary = { cases: 0, byReader: {}, failures: [], maxMs: 0, slowest: undefined, maxGrowth: 0, peakRss: 0, seconds: 0, baitWatched: false };
  const t0 = performance.now();
  for (const [ri, reader] of readers.entries()) {
    const dir = path.join(opts.workDir, reader.name.replace(/[^\w.-]+/g, '_'));
    const root = path.join(dir, 'ds');
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(root, { recursive: true });
    const bait = path.join(dir, 'bait');
    await fs.mkdir(bait, { recursive: true });
    await fs.writeFile(path.join(bait, 'x.txt'), 'bait words only\nbait words only\nbait words only\n');
    await fs.writeFile(path.join(bait, 'x.jpg'), new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    await fs.writeFile(path.join(bait, 'x.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    await armBait(bait);
    await fs.readFile(path.join(bait, 'x.txt'));
    const watched = (await baitRead(bait)) !== undefined;
    summary.baitWatched = watched;
    await reader.setup?.(root);
    const rootReal = await fs.realpath(root);
    const seeds = await reader.seeds();
    const r = rng(opts.seed + 7919 * ri);
    const counts: Partial<Record<FuzzKind, number>> = {};
    summary.byReader[reader.name] = counts;
    const file = path.join(rootReal, reader.target);
    await fs.mkdir(path.dirname(file), { recursive: true });
    for (let k = 0; k < opts.casesPerReader; k++) {
      const seed = r.pick(seeds);
      // Every 10th case is the seed itself: the reader must accept its own valid files.
      const { bytes, ops } = k % 10 === 0 ? { bytes: seed.bytes, ops: ['none'] } : mutate(seed.bytes, r, reader.tokens ?? []);
      await fs.writeFile(file, bytes);
      if (watched) await armBait(bait);
      const before = used();
      const start = performance.now();
      let out: { kind: FuzzKind; detail: string };
      try {
        const paths = (await reader.read(file, rootReal)) ?? [];
        const out1 = paths.find((p) => !inside(p, rootReal));
        out = out1 ? { kind: 'escape', detail: `resolved ${out1}` } : { kind: 'ok', detail: `${paths.length} path(s)` };
      } catch (e) {
        out = classify(e, rootReal);
      }
      const ms = performance.now() - start;
      const growth = used() - before;
      const leaked = watched ? await baitRead(bait) : undefined;
      if (leaked) out = { kind: 'escape', detail: `read ${leaked}; ${out.detail}` };
      if (out.kind === 'ok' || out.kind === 'error') {
        if (ms > maxMs) out = { kind: 'slow', detail: `${ms.toFixed(0)} ms; ${out.detail}` };
        else if (growth > maxGrowthBytes) out = { kind: 'memory', detail: `${(growth / 2 ** 20).toFixed(0)} MiB; ${out.detail}` };
      }
      summary.maxGrowth = Math.max(summary.maxGrowth, growth);
      counts[out.kind] = (counts[out.kind] ?? 0) + 1;
      const c: FuzzCase = { reader: reader.name, seed: seed.name, ops, kind: out.kind, ms, detail: out.detail };
      if (ms > summary.maxMs) {
        summary.maxMs = ms;
        summary.slowest = c;
      }
      if (FAILURES.includes(out.kind)) summary.failures.push(c);
      opts.onCase?.(c);
      summary.cases++;
    }
  }
  summary.seconds = (performance.now() - t0) / 1000;
  summary.peakRss = process.resourceUsage().maxRSS * 1024;
  return summary;
}
