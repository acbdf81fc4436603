import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { AttncError } from '../util/errors.js';
import { registerNativeGradients } from './native-grads.js';
import { withQuietStderr } from './quiet-stderr.js';

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
}

const require = createRequire(import.meta.url);
let current: BackendInfo | undefined;

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
 * Load and select a tfjs backend. `auto` tries tensorflow-gpu, tensorflow, wasm, cpu in that order
 * and says once on stderr when it had to fall back. An explicit choice that cannot load is an error.
 * Idempotent: a second call with the same choice returns the first result.
 */
export async function initBackend(
  choice: BackendChoice = parseBackendChoice(process.env.ATTNC_BACKEND),
  options: { quiet?: boolean } = {},
): Promise<BackendInfo> {
  if (current && (choice === current.requested || choice === current.name)) return current;
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const order: BackendName[] = choice === 'auto' ? [...BACKEND_NAMES] : [choice];
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of order) {
    try {
      await loaders[name]();
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      current = describe(name, choice, skipped);
      if (choice === 'auto' && skipped.some((s) => s.name === 'tensorflow') && !options.quiet) {
        process.stderr.write(
          `attnc: native TensorFlow backend unavailable (${firstLine(skipped.find((s) => s.name === 'tensorflow')!.reason)}); ` +
            `falling back to ${name}, which is much slower${name === 'wasm' ? ' and cannot train conv nets (no Conv2DBackpropFilter kernel)' : ''}. ` +
            'Run `npm run setup:native` to provision it.\n',
        );
      }
      return current;
    } catch (e) {
      skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const why = skipped.map((s) => `${s.name}: ${firstLine(s.reason)}`).join('; ');
  throw new AttncError('ATTNC_BACKEND', `could not load the ${choice} backend (${why})`, {
    hint: choice === 'tensorflow' ? 'run `npm run setup:native` (see README, "Native TensorFlow")' : undefined,
  });
}

/** Register a backend's kernels without selecting it; false when its package cannot load here. */
export async function registerBackend(name: BackendName): Promise<boolean> {
  try {
    await loaders[name]();
    return true;
  } catch {
    return false;
  }
}

const loaders: Record<BackendName, () => Promise<void>> = {
  'tensorflow-gpu': async () => {
    // Not a dependency: used only where someone installed it (a machine with CUDA 11.2 + cuDNN 8.1).
    const spec = '@tensorflow/tfjs-node-gpu';
    withQuietStderr(() => require(spec));
  },
  tensorflow: async () => {
    // Synchronous (require, not import) so that nothing else writes to stderr while it is quiet.
    withQuietStderr(() => require('@tensorflow/tfjs-node'));
    registerNativeGradients();
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
  },
  cpu: async () => {},
};

function describe(name: BackendName, requested: BackendChoice, skipped: BackendInfo['skipped']): BackendInfo {
  const info: BackendInfo = { name, requested, skipped, tfjsVersion: tf.version_core, threads: 1 };
  if (name === 'tensorflow' || name === 'tensorflow-gpu') {
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
    info.libtensorflow = binding?.TF_Version;
    info.threads = os.availableParallelism();
    info.librarySource = librarySource();
  }
  return info;
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
