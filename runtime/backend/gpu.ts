/**
 * The `tensorflow-gpu` backend: tfjs-node's JavaScript and binding built against the CUDA build of
 * TensorFlow that `attnc setup --gpu` provisions (cli/setup/gpu.ts). The setup lays the package out
 * as `<node_modules>/.attnc/tfjs-node-gpu/` beside tfjs-node (inside node_modules, so its
 * `require('@tensorflow/tfjs')` finds the same tfjs as everything else; a dot folder, which npm
 * leaves alone) with its manifest `attnc-gpu.json`; the libraries stay in attnc's cache, where the
 * binding's run path finds them. TensorFlow registers it as tfjs's `tensorflow` backend, so every
 * native fast path applies; placement.ts decides which of them stay on a GPU.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AttncError } from '../util/errors.js';
import { runPathReaches } from './elf.js';
import { disableFastPath } from './fast-paths.js';
import { probeNvidia, type NvidiaSystem } from './nvidia.js';
import type { PlacementReport } from './placement.js';

/** What `attnc setup --gpu` provisioned (the package's attnc-gpu.json). */
export interface GpuManifest {
  version: 1;
  /** The TensorFlow wheel: `name` from its METADATA (tensorflow; tensorflow-cpu when a CPU wheel stood in). */
  tensorflow: { name: string; version: string; wheel: string };
  nvidia: { name: string; version: string; wheel: string }[];
  /** The unpacked wheels: tensorflow/ and nvidia/ side by side, as pip lays them out. */
  site: string;
  tfjsNode: string;
  binding: string;
}

export interface GpuLibrary {
  dir: string;
  manifest: GpuManifest;
}

const require = createRequire(import.meta.url);

/** `<node_modules>/.attnc/tfjs-node-gpu` beside tfjs-node (scripts/native/gpu-package.mjs writes it). */
export function gpuPackageDir(): string | null {
  try {
    const tfjsNode = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    return path.join(tfjsNode, '..', '..', '.attnc', 'tfjs-node-gpu');
  } catch {
    return null;
  }
}

const SETUP_HINT = 'run `npx attnc setup --gpu` (README, "GPU")';

/** The provisioned GPU library, or why there is none. */
export function findGpuLibrary(dir: string | null = gpuPackageDir()): { library: GpuLibrary; problem?: undefined } | { library?: undefined; problem: string } {
  if (!dir) return { problem: 'the GPU library is not provisioned (@tensorflow/tfjs-node is not installed)' };
  const file = path.join(dir, 'attnc-gpu.json');
  if (!fs.existsSync(file)) return { problem: 'the GPU library is not provisioned' };
  let manifest: GpuManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as GpuManifest;
  } catch (e) {
    return { problem: `${file} is unreadable (${(e as Error).message}); provision again` };
  }
  const binding = path.join(dir, 'lib', `napi-v${Math.min(8, Number(process.versions.napi))}`, 'tfjs_binding.node');
  if (!fs.existsSync(binding)) return { problem: `the GPU library's binding ${binding} is missing; provision again` };
  if (!fs.existsSync(path.join(manifest.site, 'tensorflow', 'libtensorflow_cc.so.2'))) {
    return { problem: `the GPU library's TensorFlow is gone from ${manifest.site}; provision again` };
  }
  return { library: { dir, manifest } };
}

/** "12.5" (CUDA runtime wheel) and "9.3.0" (cuDNN wheel) out of a manifest. */
export function cudaVersions(m: GpuManifest): { cuda?: string; cudnn?: string } {
  const v = (name: string, parts: number) => m.nvidia.find((n) => n.name === name)?.version.split('.').slice(0, parts).join('.');
  return { cuda: v('nvidia-cuda-runtime-cu12', 2), cudnn: v('nvidia-cudnn-cu12', 3) };
}

/**
 * The unpacked NVIDIA library folders (site/nvidia/<library>/lib) and which of them TensorFlow's own
 * run path reaches: the CUDA build loads the CUDA libraries through it.
 */
export function cudaLibraryReach(site: string): { reached: string[]; missed: string[] } {
  let folders: string[] = [];
  try {
    folders = fs.readdirSync(path.join(site, 'nvidia')).sort().map((c) => path.join(site, 'nvidia', c, 'lib')).filter((d) => fs.existsSync(d));
  } catch { /* none unpacked */ }
  const tf = ['libtensorflow_framework.so.2', 'libtensorflow_cc.so.2'].map((l) => path.join(site, 'tensorflow', l));
  return runPathReaches(tf, folders);
}

/** One line for doctor and for `auto`'s choice. */
export function describeGpuLibrary(m: GpuManifest): string {
  const { cuda, cudnn } = cudaVersions(m);
  const standIn = m.tensorflow.name !== 'tensorflow' ? ` — ${m.tensorflow.name} standing in: a CPU build, it never uses a GPU` : '';
  return `${m.tensorflow.name} ${m.tensorflow.version}, CUDA ${cuda ?? '?'}, cuDNN ${cudnn ?? '?'} (wheels unpacked at ${m.site})${standIn}`;
}

/**
 * TensorFlow's GPU memory options, as the environment variables its GPU device reads when it is
 * created: memory growth on (TF_FORCE_GPU_ALLOW_GROWTH; a value the user set wins) instead of
 * taking nearly all of the GPU's memory up front; and a cap of `memoryMiB`, which TensorFlow has
 * no variable for: its device takes the free memory minus TF_DEVICE_MIN_SYS_MEMORY_IN_MB, so that
 * is set to free − cap (free as nvidia-smi reports it for the first visible GPU; CUDA's own context,
 * a few hundred MiB, comes out of the cap).
 */
export function gpuEnv(env: NodeJS.ProcessEnv, memoryMiB: number | undefined, system: NvidiaSystem): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.TF_FORCE_GPU_ALLOW_GROWTH === undefined) out.TF_FORCE_GPU_ALLOW_GROWTH = 'true';
  if (memoryMiB !== undefined) {
    const first = firstVisible(system, env);
    if (first?.freeMiB === undefined) {
      throw new AttncError('ATTNC_BACKEND', `--gpu-memory ${memoryMiB} needs the GPU's free memory, and nvidia-smi gave none (${system.source})`, {
        hint: 'put the driver\'s nvidia-smi on the PATH, or leave the cap out (memory growth is on)',
      });
    }
    if (memoryMiB > first.freeMiB) {
      throw new AttncError('ATTNC_BACKEND', `--gpu-memory ${memoryMiB} MiB is more than GPU ${first.index}'s free memory (${first.freeMiB} MiB)`);
    }
    out.TF_DEVICE_MIN_SYS_MEMORY_IN_MB = String(first.freeMiB - memoryMiB);
  }
  return out;
}

function firstVisible(system: NvidiaSystem, env: NodeJS.ProcessEnv) {
  const first = env.CUDA_VISIBLE_DEVICES?.split(',')[0]?.trim();
  return (first && /^\d+$/.test(first) ? system.gpus.find((g) => g.index === Number(first)) : undefined) ?? system.gpus[0];
}

/** `--gpu-memory <MiB>` / ATTNC_GPU_MEMORY: a positive whole number of MiB. */
export function parseGpuMemory(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new AttncError('ATTNC_USAGE_BACKEND', `--gpu-memory "${value}" is not a whole number of MiB`, { hint: 'e.g. --gpu-memory 8192 for 8 GiB' });
  }
  return n;
}

/** Null when `auto` should use the GPU library; otherwise why not (not provisioned, no GPU visible). */
export function gpuUnavailable(system?: NvidiaSystem): { reason: string; provisioned: boolean } | null {
  const found = findGpuLibrary();
  if (!found.library) return { reason: `${found.problem}: ${SETUP_HINT}`, provisioned: false };
  const s = system ?? probeNvidia({ nvidiaSmi: null });
  return s.problem ? { reason: `no GPU visible: ${s.problem}`, provisioned: true } : null;
}

export interface LoadedGpu {
  library: GpuLibrary;
  system: NvidiaSystem;
  placement?: PlacementReport;
  usingGpuDevice: boolean;
}

/**
 * Load the provisioned GPU library as tfjs's `tensorflow` backend: memory options first (TensorFlow
 * reads them when it creates its GPU device, as the binding loads), then the placement verdict
 * (cached in the package per GPU and driver; a child process computes it the first time), then the
 * binding itself; the fast paths that cannot stay on the GPU are switched off, each said once.
 */
export async function loadGpuBackend(options: { gpuMemoryMiB?: number; quiet?: boolean } = {}): Promise<LoadedGpu> {
  const found = findGpuLibrary();
  if (!found.library) throw new AttncError('ATTNC_BACKEND', `cannot load tensorflow-gpu: ${found.problem}`, { hint: SETUP_HINT });
  const library = found.library;
  const system = probeNvidia();
  Object.assign(process.env, gpuEnv(process.env, options.gpuMemoryMiB, system));
  let placement: PlacementReport | undefined;
  if (process.env.ATTNC_PLACEMENT_CHILD !== '1') placement = await cachedPlacement(library, system);
  require(library.dir);
  // tfjs loads only here (`attnc setup` reads this file's other functions without it).
  const { isUsingGpuDevice } = await import('./tfjs-internals.js');
  const usingGpuDevice = isUsingGpuDevice();
  for (const fp of placement?.fastPaths ?? []) if (fp.fallback) disableFastPath(fp.id, fp.fallback, options);
  if (!usingGpuDevice && !options.quiet) {
    const why = system.problem ?? placement?.tf.problems[0] ?? 'TensorFlow created no GPU device (`attnc doctor` shows its log)';
    process.stderr.write(`attnc: tensorflow-gpu runs on the CPU here: ${why}\n`);
  }
  return { library, system, placement, usingGpuDevice };
}

async function cachedPlacement(library: GpuLibrary, system: NvidiaSystem): Promise<PlacementReport> {
  const file = path.join(library.dir, 'placement.json');
  const key = JSON.stringify({
    attnc: attncVersion(),
    wheel: library.manifest.tensorflow.wheel,
    tfjsNode: library.manifest.tfjsNode,
    driver: system.driver ?? null,
    gpus: system.gpus.map((g) => g.name),
    visible: process.env.CUDA_VISIBLE_DEVICES ?? null,
  });
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; report: PlacementReport };
    if (cached.key === key) return cached.report;
  } catch { /* none yet */ }
  const { checkPlacement } = await import('./placement.js');
  let report: PlacementReport;
  try {
    report = await checkPlacement('tensorflow-gpu');
  } catch (e) {
    throw new AttncError('ATTNC_BACKEND', `the GPU library failed to start: ${(e as Error).message}`, { hint: '`npx attnc --backend tensorflow doctor` shows TensorFlow\'s own messages about the GPU; `npx attnc setup --gpu` again if the library changed' });
  }
  // A probe that failed is not remembered: the next start tries it again.
  if (!report.fastPaths.some((f) => f.error)) {
    try {
      fs.writeFileSync(file, JSON.stringify({ key, report }, null, 2) + '\n');
    } catch { /* read-only install: recomputed next time */ }
  }
  return report;
}

function attncVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Load-time placement for the provisioned library (computed once per GPU and driver, then cached). */
export async function gpuPlacement(): Promise<PlacementReport> {
  const found = findGpuLibrary();
  if (!found.library) throw new AttncError('ATTNC_BACKEND', `cannot load tensorflow-gpu: ${found.problem}`, { hint: SETUP_HINT });
  return cachedPlacement(found.library, probeNvidia());
}

export interface GpuStatus {
  library?: { dir: string; description: string; cuda?: string; cudnn?: string; standIn: boolean; cudaLibraries: { reached: string[]; missed: string[] } };
  system: NvidiaSystem;
  /** TensorFlow's own view, from the GPU library loaded in a child process (placement.ts). */
  tf?: PlacementReport['tf'] & { usingGpuDevice: boolean };
  /** Null when tensorflow-gpu runs on a GPU here; otherwise the exact reason it does not. */
  reason: string | null;
}

/**
 * Everything `attnc doctor` says about the GPU. `inUse` is the placement of a GPU library this
 * process already loaded; otherwise, where one is provisioned, a child process loads it to ask
 * TensorFlow (the CPU library in this process cannot share it).
 */
export async function gpuStatus(inUse?: PlacementReport): Promise<GpuStatus> {
  const system = probeNvidia();
  const found = findGpuLibrary();
  if (!found.library) return { system, reason: [`${found.problem} (\`npx attnc setup --gpu\`)`, system.problem].filter(Boolean).join('; ') };
  const m = found.library.manifest;
  const library = { dir: found.library.dir, description: describeGpuLibrary(m), ...cudaVersions(m), standIn: m.tensorflow.name !== 'tensorflow', cudaLibraries: cudaLibraryReach(m.site) };
  let report = inUse;
  let tfError: string | undefined;
  if (!report) {
    try {
      report = await cachedPlacement(found.library, system);
    } catch (e) {
      tfError = (e as Error).message;
    }
  }
  const tf = report ? { ...report.tf, usingGpuDevice: report.usingGpuDevice } : undefined;
  const reasons = tfError
    ? [tfError]
    : tf?.usingGpuDevice
      ? []
      : [
        system.problem,
        library.standIn ? `the provisioned TensorFlow is ${m.tensorflow.name}, a CPU build standing in for the CUDA one` : null,
        tf?.problems.length ? `TensorFlow: ${tf.problems[0]}` : null,
      ].filter((r): r is string => !!r);
  if (!tf?.usingGpuDevice && !reasons.length) reasons.push('TensorFlow created no GPU device');
  return { library, system, tf, reason: reasons.length ? reasons.join('; ') : null };
}
