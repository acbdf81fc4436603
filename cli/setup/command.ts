/**
 * `attnc setup`: the CPU library through scripts/setup-native.mjs (what `npm install` runs), or the
 * GPU library (gpu.ts), then what TensorFlow says about the GPU once it loads.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { packageRoot } from '../../compiler/package-root.js';
import { AttncError } from '../../runtime/util/errors.js';
import { log } from '../../scripts/native/cache.mjs';

export async function runSetup(opts: { gpu?: boolean; from?: string; driverCheck: boolean }): Promise<number> {
  if (!opts.gpu) {
    if (opts.from !== undefined || opts.driverCheck === false) {
      throw new AttncError('ATTNC_USAGE_OPTION', '--from and --no-driver-check go with --gpu', { hint: 'npx attnc setup --gpu --from <folder of wheels>' });
    }
    const r = spawnSync(process.execPath, [path.join(packageRoot(), 'scripts', 'setup-native.mjs')], {
      stdio: 'inherit',
      env: { ...process.env, ATTNC_NATIVE_STRICT: '1' },
    });
    return r.status ?? 1;
  }
  const t0 = Date.now();
  const { setupGpu } = await import('./gpu.js');
  await setupGpu({ from: opts.from, driverCheck: opts.driverCheck });
  const { describeGpuLibrary, findGpuLibrary, gpuPlacement } = await import('../../runtime/backend/gpu.js');
  const found = findGpuLibrary();
  if (!found.library) throw new AttncError('ATTNC_SETUP', `the GPU library was provisioned but is not found: ${found.problem}`);
  log(`gpu: ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${describeGpuLibrary(found.library.manifest)}`);
  log('gpu: checking what TensorFlow sees and where it places the fast paths (loads the library once) …');
  const report = await gpuPlacement();
  if (report.usingGpuDevice) {
    for (const d of report.tf.devices) log(`gpu: TensorFlow uses ${d.device}: ${d.name}, ${d.memoryMB} MB, compute capability ${d.computeCapability}${report.tf.cudnn ? `, cuDNN ${report.tf.cudnn}` : ''}`);
    const off = report.fastPaths.filter((f) => f.fallback);
    log(off.length ? `gpu: fast paths that fall back to tfjs's ops: ${off.map((f) => `${f.id} (${f.fallback})`).join('; ')}` : 'gpu: every native fast path runs on the GPU');
    log('gpu: `--backend auto` (the default) now uses tensorflow-gpu; `npx attnc doctor` shows it');
  } else {
    log(`gpu: TensorFlow created no GPU device here${report.tf.problems.length ? ` (${report.tf.problems[0]})` : ''}; \`--backend auto\` uses the CPU library until a GPU is visible (\`npx attnc doctor\` says why)`);
  }
  return 0;
}
