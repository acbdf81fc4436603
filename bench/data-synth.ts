/**
 * Synthetic birds generation speed. `npx tsx bench/data-synth.ts [--n 10000] [--big 1000] [--no-write]`
 *
 *  - metadata: attributes, captions (10 per image) and splits for n images, no pixels;
 *  - render:   n images at 64 px and `big` images at 256 px, in memory (`ds.render(i)`, 8-bit RGB);
 *  - write:    `writeSynthBirds` of n images at 64 px to a temp folder (PNG encoding + files), the
 *              work `attnc data synth --n 10000 --size 64` does.
 * Wall and CPU time are both printed: CPU time is what the code costs, wall time what a user waits
 * (they differ when the machine is shared). Single-threaded throughout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthBirds, writeSynthBirds } from '../runtime/data/synthbirds/index.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('n', 10_000);
const BIG = arg('big', 1_000);
const WRITE = !process.argv.includes('--no-write');

function time<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}

const rows: string[] = [];
const row = (what: string, count: number, r: { wall: number; cpu: number }) => {
  rows.push(`| ${what} | ${count.toLocaleString('en-US')} | ${r.wall.toFixed(2)} s | ${r.cpu.toFixed(2)} s | ${Math.round(count / r.wall).toLocaleString('en-US')} |`);
  console.log(rows[rows.length - 1]);
};

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| step | images | wall | CPU | images/s (wall) |\n|---|---|---|---|---|');

// Warm the JIT on a few images so the numbers are steady-state, as in a long generation run.
const warm = synthBirds({ n: 200, size: 64, seed: 1 });
for (let i = 0; i < 200; i++) warm.render(i);

const meta = time(() => synthBirds({ n: N, size: 64, seed: 0 }));
row('metadata (attributes, 10 captions, splits)', N, meta);
const ds = meta.value;
let checksum = 0;
row('render 64 px', N, time(() => { for (let i = 0; i < N; i++) checksum += ds.render(i).rgb[1000]!; }));
const big = synthBirds({ n: BIG, size: 256, seed: 0 });
row('render 256 px', BIG, time(() => { for (let i = 0; i < BIG; i++) checksum += big.render(i).rgb[1000]!; }));
if (WRITE) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-bench-synth-'));
  try {
    const w = time(() => writeSynthBirds(ds, dir));
    row(`write CUB layout 64 px (${(w.value.bytes / 1e6).toFixed(0)} MB, ${w.value.files.toLocaleString('en-US')} files)`, N, w);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`(checksum ${checksum})`);
