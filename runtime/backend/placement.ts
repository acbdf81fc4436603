/**
 * Where TensorFlow runs the native fast paths' ops (fast-paths.ts), and what TensorFlow itself says
 * about its GPU. tfjs-node's binding does not expose a tensor's device, but TensorFlow's eager
 * executor logs the device it places each op on (`execute.cc`, verbose level 1). So a child
 * process loads the backend with that log on (TF_CPP_VMODULE=execute=1, TF_CPP_MIN_LOG_LEVEL=0),
 * runs each fast path once on tiny inputs between markers, and the parent reads the device of
 * every op of each fast path off its stderr, together with TensorFlow's own lines about its GPU
 * ("Created device … GPU:0 … compute capability …", "Loaded cuDNN version …", the reason it
 * found none). On a GPU, a fast path with an op placed elsewhere, or one that fails, falls back
 * to tfjs's ops (gpu.ts applies the verdict).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { conv2dPatches } from './conv-plan.js';
import { FAST_PATH_IDS, FAST_PATHS, type FastPath } from './fast-paths.js';
import { NativeAdamState } from './native-adam.js';
import { nativeBatchNormTrainWithGrad, nativeLstmSequence, nativeReverseSequence } from './native-ops.js';

/** Marks the start of a fast path's probe in the child's stderr. */
const MARK = '@@attnc-probe';

export type ProbeOutcome = { ok: true } | { ok: false; error: string };

/** Each fast path on tiny inputs, as the runtime calls it (a null return means it did not run). */
const probes: Record<FastPath, () => void> = {
  'fused-adam': () => {
    const state = NativeAdamState.create();
    if (!state) throw new Error('not on the native backend');
    const v = tf.variable(tf.ones([4]));
    const g = tf.fill([4], 0.5);
    try {
      state.apply('probe', v, g, { lr: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, beta1Power: 0.5, beta2Power: 0.999 });
      v.dataSync();
    } finally {
      state.dispose();
      tf.dispose([v, g]);
    }
  },
  'block-lstm': () => tf.tidy(() => {
    const y = nativeLstmSequence(tf.ones([3, 2, 4]), tf.fill([6, 8], 0.1), tf.zeros([8]));
    if (!y) throw new Error('did not run');
    y.dataSync();
  }),
  'reverse-sequence': () => tf.tidy(() => {
    const y = nativeReverseSequence(tf.ones([3, 2, 4]), tf.tensor1d([3, 2], 'int32'), 0, 1);
    if (!y) throw new Error('did not run');
    y.dataSync();
  }),
  'fused-batchnorm': () => tf.tidy(() => {
    const running = { mean: tf.zeros([4]) as tf.Tensor1D, variance: tf.ones([4]) as tf.Tensor1D, momentum: 0.1 };
    const grads = tf.grads((x: tf.Tensor) => {
      const r = nativeBatchNormTrainWithGrad(x as tf.Tensor4D, tf.ones([4]), tf.zeros([4]), 1e-5, running);
      if (!r) throw new Error('did not run');
      tf.dispose([r.runningMean, r.runningVar]);
      return tf.sum(tf.square(r.y));
    });
    grads([tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1)])[0]!.dataSync();
  }),
  'activation-grads': () => tf.tidy(() => {
    const x = tf.tensor1d([-1, 0.5, 2]);
    tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(x).dataSync();
    tf.grad((t: tf.Tensor) => tf.sum(tf.leakyRelu(t, 0.2)))(x).dataSync();
  }),
  'conv-patches': () => tf.tidy(() => {
    const w = tf.fill([3, 3, 2, 3], 0.1) as tf.Tensor4D;
    tf.grad((x: tf.Tensor) => tf.sum(conv2dPatches(x as tf.Tensor4D, w, 1, [1, 1, 1, 1])))(tf.ones([1, 4, 4, 2])).dataSync();
  }),
};

/**
 * Run every probe, each after a marker line on stderr (the child's half; placement-child.ts).
 * A probe that throws is reported, never rethrown. Ends with one cuDNN convolution so that
 * TensorFlow logs the cuDNN version on a GPU.
 */
export function runProbes(): Record<FastPath, ProbeOutcome> {
  const out = {} as Record<FastPath, ProbeOutcome>;
  for (const id of FAST_PATH_IDS) {
    process.stderr.write(`${MARK} ${id}\n`);
    try {
      probes[id]();
      out[id] = { ok: true };
    } catch (e) {
      out[id] = { ok: false, error: (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300) };
    }
  }
  process.stderr.write(`${MARK} end\n`);
  tf.tidy(() => tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same').dataSync());
  return out;
}

/** "/job:localhost/replica:0/task:0/device:GPU:0" → "GPU:0". */
export function shortDevice(device: string): string {
  return /device:([A-Z_]+:\d+)$/.exec(device)?.[1] ?? device;
}

/** Ops oneDNN rewrote on the CPU (`_MklFusedBatchNormV3`) under their TensorFlow names. */
function opName(op: string): string {
  return op.replace(/^_Mkl(?:Native)?/, '');
}

/** Per probe (by marker), each op's device as TensorFlow's eager executor logged it (the last one). */
export function parsePlacementLog(stderr: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current = '';
  const patterns = [
    /Placer place op \[(\w+)\] on device: (\S+)/,
    /Device for \[(\w+)\] already set to: (\S+)/,
    /Executing op (\w+) in device (\S+)/,
  ];
  for (const line of stderr.split('\n')) {
    if (line.startsWith(MARK)) {
      current = line.slice(MARK.length).trim();
      continue;
    }
    if (!current) continue;
    for (const re of patterns) {
      const m = re.exec(line);
      if (m) {
        (sections[current] ??= {})[opName(m[1]!)] = m[2]!;
        break;
      }
    }
  }
  return sections;
}

export interface TfGpuDevice {
  device: string;
  memoryMB: number;
  name: string;
  bus: string;
  computeCapability: string;
}

export interface TfGpuView {
  /** GPU devices TensorFlow created. */
  devices: TfGpuDevice[];
  /** "9.3.0" from "Loaded cuDNN version 90300", once a convolution ran on a GPU. */
  cudnn?: string;
  /** TensorFlow's own lines about why it has no (usable) GPU. */
  problems: string[];
}

/** What TensorFlow's log says about its GPUs. */
export function parseTfGpuLog(stderr: string): TfGpuView {
  const devices: TfGpuDevice[] = [];
  const problems: string[] = [];
  let cudnn: string | undefined;
  const created = /Created device (\S+) with (\d+) MB memory:\s*->\s*device: \d+, name: (.+?), pci bus id: ([^,]+), compute capability: (\d+\.\d+)/;
  const trouble = /Cannot dlopen some GPU libraries|GPU will not be used|Could not load dynamic library|Could not find cuda drivers|failed call to cuInit|CUDA_ERROR|no NVIDIA GPU device|Skipping registering GPU devices|cuDNN .*(?:version|mismatch)|Ignoring visible gpu device/i;
  for (const line of stderr.split('\n')) {
    const c = created.exec(line);
    if (c) {
      devices.push({ device: shortDevice(c[1]!), memoryMB: Number(c[2]), name: c[3]!, bus: c[4]!.trim(), computeCapability: c[5]! });
      continue;
    }
    const d = /Loaded cuDNN version (\d+)/.exec(line);
    if (d) {
      const n = Number(d[1]);
      cudnn = `${Math.floor(n / 10000)}.${Math.floor((n % 10000) / 100)}.${n % 100}`;
      continue;
    }
    if (trouble.test(line) && problems.length < 6) problems.push(line.replace(/^[IWEF]\d{4} [\d:. ]+\d+ \S+\] /, '').trim().slice(0, 300));
  }
  return { devices, cudnn, problems };
}

export interface FastPathPlacement {
  id: FastPath;
  ops: { op: string; device?: string }[];
  error?: string;
  /** Why it must fall back to tfjs's ops on this GPU; absent when it stays. */
  fallback?: string;
}

export interface PlacementReport {
  backend: string;
  usingGpuDevice: boolean;
  fastPaths: FastPathPlacement[];
  tf: TfGpuView;
}

/**
 * The verdict per fast path: one that failed falls back; on a GPU (usingGpuDevice), so does one with
 * an op placed on another device (on the CPU every op is on the CPU, as it should be).
 */
export function placementVerdict(
  sections: Record<string, Record<string, string>>,
  outcomes: Partial<Record<FastPath, ProbeOutcome>>,
  usingGpuDevice: boolean,
): FastPathPlacement[] {
  return FAST_PATH_IDS.map((id) => {
    const ops = FAST_PATHS[id].ops.map((op) => ({ op, device: sections[id]?.[op] }));
    const outcome = outcomes[id];
    const error = outcome && !outcome.ok ? outcome.error : outcome ? undefined : 'the probe did not report';
    const r: FastPathPlacement = { id, ops, ...(error ? { error } : {}) };
    if (error) return { ...r, fallback: `it failed here (${error})` };
    if (!usingGpuDevice) return r;
    const off = ops.find((o) => o.device && !shortDevice(o.device).startsWith('GPU'));
    if (off) return { ...r, fallback: `${off.op} has no GPU kernel here (TensorFlow placed it on ${shortDevice(off.device!)})` };
    return r;
  });
}

/**
 * Load `backend` in a child process with TensorFlow's placement log on, run the probes, and read
 * the verdict and TensorFlow's GPU view off its output.
 */
export async function checkPlacement(backend: 'tensorflow' | 'tensorflow-gpu', env: NodeJS.ProcessEnv = process.env): Promise<PlacementReport> {
  const require = createRequire(import.meta.url);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child = path.join(here, 'placement-child.ts');
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', tsx, child, backend], {
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: '0', TF_CPP_VMODULE: 'execute=1', ATTNC_PLACEMENT_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.on('error', reject);
    p.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
  const tfView = parseTfGpuLog(stderr);
  const last = stdout.trim().split('\n').pop() ?? '';
  let parsed: { usingGpuDevice: boolean; outcomes: Record<FastPath, ProbeOutcome> } | undefined;
  try {
    parsed = JSON.parse(last);
  } catch { /* reported below */ }
  if (code !== 0 || !parsed) {
    const tail = stderr.split('\n').filter((l) => l.trim() && !l.startsWith(MARK) && !/execute\.cc/.test(l)).slice(-3).join(' | ');
    throw new Error(`the placement check's ${backend} process failed (exit ${code}): ${tail.slice(0, 500)}`);
  }
  return {
    backend,
    usingGpuDevice: parsed.usingGpuDevice,
    fastPaths: placementVerdict(parsePlacementLog(stderr), parsed.outcomes, parsed.usingGpuDevice),
    tf: tfView,
  };
}
