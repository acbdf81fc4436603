/**
 * .pth import: time and peak memory to read a PyTorch state_dict and load it into the attnc network
 * (layer-kind layouts, strict), for the full birds generator (7.08 M parameters) and D_NET256 (71.9 M).
 *
 *   /usr/bin/python3 tools/make_bench_pth.py /tmp/attnc-bench-pth   # once (~630 MB, not committed)
 *   npx tsx bench/pth-import.ts [dir]                                # default /tmp/attnc-bench-pth
 *
 * Each case runs in its own process so peak RSS (getrusage maxrss) is that case's alone. Columns:
 * build = constructing the network (its variables), open = openPthFile (read the file, container +
 * safe pickle + every bound checked), load = loadPth (per tensor: decode, transpose into TF layout,
 * assign), RSS before open / peak during open+load.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv.find((a, i) => i >= 2 && !a.startsWith('--')) ?? '/tmp/attnc-bench-pth';
const caseArg = process.argv.find((a) => a.startsWith('--case='))?.slice('--case='.length);

if (caseArg) {
  const [file, network] = caseArg.split(':') as [string, 'generator' | 'd256'];
  const { initBackend } = await import('../runtime/backend/index.js');
  await initBackend(undefined, { quiet: true });
  const tf = await import('@tensorflow/tfjs');
  const { openPthFile } = await import('../runtime/io/pth.js');
  const { loadPth } = await import('../runtime/nn/weights.js');
  const mb = (b: number) => b / 2 ** 20;
  let t = performance.now();
  let module;
  if (network === 'generator') {
    const { Generator } = await import('../generated/attngan2/generator.js');
    module = new Generator();
  } else {
    const { Discriminator256 } = await import('../generated/attngan2/discriminators.js');
    module = new Discriminator256();
  }
  const build = performance.now() - t;
  const rssBefore = mb(process.memoryUsage().rss);
  t = performance.now();
  const pth = openPthFile(file);
  const read = performance.now() - t;
  t = performance.now();
  const report = loadPth(module, pth);
  const load = performance.now() - t;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({
    file: path.basename(file), format: pth.format, bytes: fs.statSync(file).size, params: module.parameterCount(),
    tensors: report.loaded.length, build, read, load, rssBefore, peak, tfMB: mb(tf.memory().numBytes),
  }));
  process.exit(0);
}

const cases: Array<[string, string]> = [
  ['netG.pth', 'generator'], ['netG_legacy.pth', 'generator'],
  ['netD2.pth', 'd256'], ['netD2_legacy.pth', 'd256'],
];
const self = fileURLToPath(import.meta.url);
console.log(`${new Date().toISOString()}  ${os.cpus().length} cores  load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| file | format | params | file MB | build s | open s | load s | open+load s | RSS before MB | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [file, network] of cases) {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    console.log(`| ${file} | missing: run tools/make_bench_pth.py ${dir} | | | | | | | | |`);
    continue;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, `--case=${full}:${network}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log(`| ${file} | failed: ${(r.stderr || r.stdout).trim().split('\n').pop()} |`);
    continue;
  }
  const x = JSON.parse(line) as Record<string, number | string>;
  const s = (k: string) => ((x[k] as number) / 1000).toFixed(2);
  console.log(`| ${x.file} | ${x.format} | ${(x.params as number).toLocaleString('en-US')} | ${((x.bytes as number) / 2 ** 20).toFixed(0)} | ${s('build')} | ${s('read')} | ${s('load')} | ${(((x.read as number) + (x.load as number)) / 1000).toFixed(2)} | ${(x.rssBefore as number).toFixed(0)} | ${(x.peak as number).toFixed(0)} |`);
}
console.log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
