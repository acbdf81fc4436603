import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { AttncError } from '../util/errors.js';
import { applyThreads, parseThreads, threadCount } from './threads.js';
import { describeGpuLibrary, gpuUnavailable, loadGpuBackend, parseGpuMemory, type LoadedGpu } from './gpu.js';
import { installNativeGradients, removeNativeGradients } from './native-grads.js';
// Registers the native ops with native-registry.ts, where the portable layers find them.
import './native-ops.js';
import { withQuietStderr } from './quiet-stderr.js';
import { checkTfjsVersion, libtensorflowVersion, setInt64ScalarClass } from './tfjs-internals.js';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];

export interface BackendInfo {
  /** The backend tfjs runs on now. */
  name: BackendName;
  requested: BackendChoice;
  /** Backends `auto` tried before this one, and why each failed. */
  skipped: { name: BackendName; reason: string }[];
  tfjsVersion: string;
  /** libtensorflow version, native backends only. */
  libtensorflow?: string;
  /** Where the native library came from (see scripts/setup-native.mjs). */
  librarySource?: string;
  threads: number;
  /** tensorflow-gpu only: whether TensorFlow created a GPU device, and the fast paths' placement. */
  gpu?: Pick<LoadedGpu, 'usingGpuDevice' | 'placement'>;
}

export interface BackendOptions {
  quiet?: boolean;
  /** tensorflow-gpu: cap TensorFlow's GPU memory (MiB); default ATTNC_GPU_MEMORY, else growth without a cap. */
  gpuMemoryMiB?: number;
  /** TensorFlow's thread pools (intra- and inter-op); default ATTNC_THREADS, else TensorFlow's own choice. */
  threads?: number;
}

const require = createRequire(import.meta.url);
let current: BackendInfo | undefined;
let checked = false;

/** The backend chosen by the last `initBackend`, if any. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim() || 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new AttncError('ATTNC_USAGE_BACKEND', `unknown backend "${v}"`, {
    hint: `choose one of ${BACKEND_CHOICES.join(', ')}`,
  });
}

/**
 * Load and select a tfjs backend. `auto` tries tensorflow-gpu (only where `attnc setup --gpu`
 * provisioned it and a GPU is visible), tensorflow, wasm, cpu in that order, says which when a GPU
 * library is provisioned, and says once on stderr when it had to fall back. An explicit choice that
 * cannot load is an error. Idempotent: a second call with the same choice returns the first result.
 */
export async function initBackend(
  choice: BackendChoice = parseBackendChoice(process.env.ATTNC_BACKEND),
  options: BackendOptions = {},
): Promise<BackendInfo> {
  if (current && (choice === current.requested || choice === current.name)) return current;
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  applyThreads(options.threads ?? parseThreads(process.env.ATTNC_THREADS));
  const order: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice];
  const skipped: { name: BackendName; reason: string }[] = [];
  const opts = { ...options, gpuMemoryMiB: options.gpuMemoryMiB ?? parseGpuMemory(process.env.ATTNC_GPU_MEMORY) };
  let gpuProvisioned = false;
  for (const name of order) {
    try {
      if (name === 'tensorflow-gpu' && choice === 'auto') {
        const no = gpuUnavailable();
        gpuProvisioned = !no || no.provisioned;
        if (no) {
          skipped.push({ name, reason: no.reason });
          continue;
        }
      }
      const gpu = await loaders[name](opts);
      // tfjs-node-gpu registers itself as tfjs's `tensorflow` backend.
      const tfjsName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
      const ok = await tf.setBackend(tfjsName);
      if (!ok) throw new Error(`tf.setBackend('${tfjsName}') returned false`);
      await tf.ready();
      if (name === 'tensorflow' || name === 'tensorflow-gpu') {
        setInt64ScalarClass(runningInt64Scalar());
        // TensorFlow's one-pass ReLU/LeakyReLU gradients replace tfjs's only while it is the backend.
        installNativeGradients();
      } else removeNativeGradients();
      if (!checked) {
        checked = true;
        if (!options.quiet) checkTfjsVersion((line) => process.stderr.write(`${line}\n`));
      }
      current = describe(name, choice, skipped, gpu ?? undefined);
      if (choice === 'auto' && gpuProvisioned && !options.quiet) {
        process.stderr.write(name === 'tensorflow-gpu'
          ? `attnc: backend tensorflow-gpu (${gpuLabel(gpu ?? undefined)})\n`
          : `attnc: backend ${name}, not tensorflow-gpu: ${firstLine(skipped.find((s) => s.name === 'tensorflow-gpu')?.reason ?? '')}\n`);
      }
      if (choice === 'auto' && skipped.some((s) => s.name === 'tensorflow') && !options.quiet) {
        process.stderr.write(
          `attnc: native TensorFlow backend unavailable (${firstLine(skipped.find((s) => s.name === 'tensorflow')!.reason)}); ` +
            `falling back to ${name}, which is much slower${name === 'wasm' ? ' and cannot train conv nets (no Conv2DBackpropFilter kernel)' : ''}. ` +
            'Run `npm run setup:native` to provision it.\n',
        );
      }
      return current;
    } catch (e) {
      // A GPU library that is provisioned and meant to be used but fails to load is an error to
      // show, not a reason to fall back quietly.
      if (e instanceof AttncError && name === 'tensorflow-gpu') throw e;
      skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const why = skipped.map((s) => `${s.name}: ${firstLine(s.reason)}`).join('; ');
  throw new AttncError('ATTNC_BACKEND', `could not load the ${choice} backend (${why})`, {
    hint: choice === 'tensorflow' ? 'run `npm run setup:native` (see README, "Native TensorFlow")' : choice === 'tensorflow-gpu' ? 'run `npx attnc setup --gpu` (see README, "GPU")' : undefined,
  });
}

/** Register a backend's kernels without selecting it; false when its package cannot load here. */
export async function registerBackend(name: BackendName): Promise<boolean> {
  // The CPU and the GPU TensorFlow libraries share their file names and cannot share a process.
  const native = (n: string | undefined) => n === 'tensorflow' || n === 'tensorflow-gpu';
  if (native(name) && native(current?.name) && name !== current!.name) return false;
  try {
    await loaders[name]({ quiet: true });
    return true;
  } catch {
    return false;
  }
}

const loaders: Record<BackendName, (options: BackendOptions) => Promise<LoadedGpu | void>> = {
  // The CUDA build of TensorFlow that `attnc setup --gpu` provisions (gpu.ts).
  'tensorflow-gpu': async (options) => {
    try {
      return await loadGpuBackend(options);
    } catch (e) {
      // Its TensorFlow may be loaded by now, and the CPU library would bind to it: no fallback.
      if (e instanceof AttncError) throw e;
      throw new AttncError('ATTNC_BACKEND', `the tensorflow-gpu library failed to load: ${firstLine(e instanceof Error ? e.message : String(e))}`, {
        hint: '`npx attnc --backend tensorflow doctor` shows TensorFlow\'s own messages about the GPU; `--backend tensorflow` runs on the CPU',
        cause: e,
      });
    }
  },
  tensorflow: async () => {
    // Synchronous (require, not import) so that nothing else writes to stderr while it is quiet.
    withQuietStderr(() => require('@tensorflow/tfjs-node'));
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
  },
  cpu: async () => {},
};

function describe(name: BackendName, requested: BackendChoice, skipped: BackendInfo['skipped'], gpu?: LoadedGpu): BackendInfo {
  const info: BackendInfo = { name, requested, skipped, tfjsVersion: tf.version_core, threads: 1 };
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    info.libtensorflow = libtensorflowVersion();
    info.threads = threadCount();
    info.librarySource = gpu ? describeGpuLibrary(gpu.library.manifest) : librarySource();
  }
  if (gpu) info.gpu = { usingGpuDevice: gpu.usingGpuDevice, placement: gpu.placement };
  return info;
}

/**
 * tfjs-node's `Int64Scalar` class from the tfjs-node package that is running (tfjs-node, or the GPU
 * package in node_modules/.attnc/): its backend recognises the class by identity, so the module is
 * found by the running backend's class, not by a path (a second copy elsewhere would not do).
 */
function runningInt64Scalar(): new (value: number) => unknown {
  const running = tf.backend().constructor;
  const backendFile = Object.keys(require.cache).find((k) => k.endsWith('nodejs_kernel_backend.js')
    && (require.cache[k]?.exports as { NodeJSKernelBackend?: unknown } | undefined)?.NodeJSKernelBackend === running);
  if (!backendFile) throw new Error('the tfjs-node backend module is not loaded');
  return (require(backendFile.replace(/nodejs_kernel_backend\.js$/, 'int64_tensors.js')) as { Int64Scalar: new (v: number) => unknown }).Int64Scalar;
}

function gpuLabel(gpu: LoadedGpu | undefined): string {
  if (!gpu) return '?';
  const names = gpu.placement?.tf.devices.map((d) => d.name) ?? gpu.system.gpus.map((g) => g.name);
  return gpu.usingGpuDevice ? `${names[0] ?? 'GPU'}${names.length > 1 ? ` and ${names.length - 1} more (attnc uses the first)` : ''}` : 'TensorFlow created no GPU device: running on the CPU';
}

function librarySource(): string | undefined {
  try {
    const pkg = require.resolve('@tensorflow/tfjs-node/package.json');
    const marker = path.join(path.dirname(pkg), 'deps', 'attnc-source.json');
    if (!fs.existsSync(marker)) return 'tfjs-node download (stock install)';
    const m = JSON.parse(fs.readFileSync(marker, 'utf8')) as { source?: string; libDir?: string };
    return [m.source, m.libDir].filter(Boolean).join(' at ');
  } catch {
    return undefined;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
