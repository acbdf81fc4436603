/**
 * What the machine says about NVIDIA GPUs, read without loading TensorFlow or CUDA: the kernel
 * driver's version (/proc/driver/nvidia/version), the GPUs it manages (/proc/driver/nvidia/gpus/,
 * device nodes /dev/nvidiaN, `nvidia-smi` when it is on the PATH for memory and compute capability)
 * and CUDA_VISIBLE_DEVICES. `attnc setup --gpu` checks it before downloading gigabytes,
 * `--backend auto` asks it whether a GPU is there to use, `attnc doctor` prints it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The oldest Linux driver that runs CUDA 12 applications (CUDA's minor-version compatibility:
 * the TensorFlow 2.21 wheel is built with CUDA 12.5 and needs only a 12.x driver, 525.60.13 or newer;
 * TensorFlow's install guide names the same minimum).
 */
export const MIN_DRIVER = '525.60.13';

export interface GpuDevice {
  index: number;
  name: string;
  /** From nvidia-smi (MiB), when it ran. */
  memoryMiB?: number;
  freeMiB?: number;
  /** "9.0"; from nvidia-smi. */
  computeCapability?: string;
  /** PCI bus location from /proc (0000:3b:00.0). */
  bus?: string;
}

export interface NvidiaSystem {
  /** Kernel driver version, when the NVIDIA kernel module is loaded. */
  driver?: string;
  /** Highest CUDA version the driver supports, from nvidia-smi's banner. */
  driverCuda?: string;
  gpus: GpuDevice[];
  /** Where the GPU facts came from (nvidia-smi or /proc), or why nvidia-smi gave none. */
  source: string;
  /** Null when a GPU is there to use; otherwise the exact reason there is none. */
  problem: string | null;
}

export interface NvidiaProbeOptions {
  procRoot?: string;
  devRoot?: string;
  /** nvidia-smi executable (looked up on PATH); null skips it. */
  nvidiaSmi?: string | null;
  env?: NodeJS.ProcessEnv;
}

/** "535.104.05" out of /proc/driver/nvidia/version (proprietary and open kernel modules). */
export function parseDriverVersion(text: string): string | undefined {
  return /Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

/** Numeric comparison of dotted versions (535.104.05 > 525.60.13). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The message for a driver too old for CUDA 12, or null when it is new enough. */
export function driverProblem(version: string): string | null {
  if (compareVersions(version, MIN_DRIVER) >= 0) return null;
  return `the NVIDIA driver ${version} is too old for CUDA 12 (TensorFlow 2.21's GPU build needs ${MIN_DRIVER} or newer): update the driver`;
}

/** CUDA_VISIBLE_DEVICES hides every GPU when it is set to nothing, -1 or NoDevFiles. */
function hiddenByEnv(env: NodeJS.ProcessEnv): string | null {
  const v = env.CUDA_VISIBLE_DEVICES;
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '' || t === '-1' || t.startsWith('-1,') || t === 'NoDevFiles') return `CUDA_VISIBLE_DEVICES="${v}" hides every GPU`;
  return null;
}

/** Model names and bus locations from /proc/driver/nvidia/gpus/<bus>/information. */
function procGpus(procRoot: string): GpuDevice[] {
  const dir = path.join(procRoot, 'driver', 'nvidia', 'gpus');
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.map((bus, i) => {
    let name = 'NVIDIA GPU';
    let index = i;
    try {
      const info = fs.readFileSync(path.join(dir, bus, 'information'), 'utf8');
      name = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? name;
      const minor = /^Device Minor:\s*(\d+)/m.exec(info)?.[1];
      if (minor !== undefined) index = Number(minor);
    } catch { /* unreadable: keep the defaults */ }
    return { index, name, bus };
  });
}

/** `nvidia-smi --query-gpu` rows: index, name, memory.total, memory.free, compute_cap, driver_version. */
export function parseNvidiaSmiQuery(csv: string): { gpus: GpuDevice[]; driver?: string } {
  const gpus: GpuDevice[] = [];
  let driver: string | undefined;
  for (const line of csv.split('\n')) {
    const f = line.split(',').map((s) => s.trim());
    if (f.length < 6 || !/^\d+$/.test(f[0]!)) continue;
    const num = (s: string) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);
    gpus.push({ index: Number(f[0]), name: f[1]!, memoryMiB: num(f[2]!), freeMiB: num(f[3]!), computeCapability: /^\d+\.\d+$/.test(f[4]!) ? f[4] : undefined });
    driver ??= /^\d+\.\d+/.test(f[5]!) ? f[5] : undefined;
  }
  return { gpus, driver };
}

/** "CUDA Version: 12.4" out of nvidia-smi's banner. */
export function parseNvidiaSmiCuda(banner: string): string | undefined {
  return /CUDA Version:\s*(\d+\.\d+)/.exec(banner)?.[1];
}

function runNvidiaSmi(exe: string, args: string[], env: NodeJS.ProcessEnv): { out?: string; error?: string } {
  const r = spawnSync(exe, args, { encoding: 'utf8', timeout: 15_000, env });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'nvidia-smi not found' : r.error.message };
  if (r.status !== 0) return { error: `nvidia-smi failed: ${(r.stdout + r.stderr).trim().split('\n')[0]}` };
  return { out: r.stdout };
}

/**
 * The machine's NVIDIA facts. `problem` is null only when the driver is loaded and new enough,
 * at least one GPU device is present, and CUDA_VISIBLE_DEVICES does not hide them all.
 */
export function probeNvidia(options: NvidiaProbeOptions = {}): NvidiaSystem {
  const procRoot = options.procRoot ?? '/proc';
  const devRoot = options.devRoot ?? '/dev';
  const env = options.env ?? process.env;
  const exe = options.nvidiaSmi === undefined ? 'nvidia-smi' : options.nvidiaSmi;
  const versionFile = path.join(procRoot, 'driver', 'nvidia', 'version');
  let driver: string | undefined;
  try {
    driver = parseDriverVersion(fs.readFileSync(versionFile, 'utf8'));
  } catch {
    return {
      gpus: [],
      source: 'none',
      problem: `no NVIDIA driver: ${versionFile} does not exist (the NVIDIA kernel module is not loaded; in a container, run it with the GPU passed through, e.g. docker --gpus all)`,
    };
  }
  let gpus = procGpus(procRoot);
  let source = '/proc/driver/nvidia';
  let driverCuda: string | undefined;
  if (exe) {
    const q = runNvidiaSmi(exe, ['--query-gpu=index,name,memory.total,memory.free,compute_cap,driver_version', '--format=csv,noheader,nounits'], env);
    if (q.out !== undefined) {
      const parsed = parseNvidiaSmiQuery(q.out);
      if (parsed.gpus.length) {
        gpus = parsed.gpus.map((g) => ({ ...g, bus: gpus.find((p) => p.index === g.index)?.bus }));
        source = 'nvidia-smi';
      }
      driver ??= parsed.driver;
      driverCuda = parseNvidiaSmiCuda(runNvidiaSmi(exe, [], env).out ?? '');
    } else {
      source = `/proc/driver/nvidia (${q.error}: no memory or compute capability)`;
    }
  }
  if (!driver) return { gpus, source, problem: `cannot read the NVIDIA driver version from ${versionFile}` };
  const base = { driver, driverCuda, gpus, source };
  const tooOld = driverProblem(driver);
  if (tooOld) return { ...base, problem: tooOld };
  const hidden = hiddenByEnv(env);
  if (hidden) return { ...base, problem: hidden };
  const nodes = deviceNodes(devRoot);
  if (nodes === 0 || gpus.length === 0) {
    return { ...base, problem: `the NVIDIA driver ${driver} is loaded but no GPU device is present (${nodes === 0 ? `no ${devRoot}/nvidia0…` : 'the driver lists no GPU'})` };
  }
  return { ...base, problem: null };
}

/** Count of /dev/nvidiaN nodes (N a number; not nvidiactl or nvidia-uvm); -1 when /dev cannot be read. */
function deviceNodes(devRoot: string): number {
  try {
    return fs.readdirSync(devRoot).filter((n) => /^nvidia\d+$/.test(n)).length;
  } catch {
    return -1;
  }
}
