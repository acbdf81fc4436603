import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersions, driverProblem, MIN_DRIVER, parseDriverVersion, parseNvidiaSmiCuda, parseNvidiaSmiQuery, probeNvidia } from '../../../runtime/backend/nvidia.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-nvidia-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake /proc and /dev: the driver's version file, its GPU folders, device nodes. */
function machine(name: string, o: { driver?: string; gpus?: string[]; nodes?: number }): { procRoot: string; devRoot: string } {
  const procRoot = path.join(tmp, name, 'proc');
  const devRoot = path.join(tmp, name, 'dev');
  fs.mkdirSync(devRoot, { recursive: true });
  fs.mkdirSync(procRoot, { recursive: true });
  if (o.driver) {
    fs.mkdirSync(path.join(procRoot, 'driver', 'nvidia', 'gpus'), { recursive: true });
    fs.writeFileSync(path.join(procRoot, 'driver', 'nvidia', 'version'), `NVRM version: NVIDIA UNIX x86_64 Kernel Module  ${o.driver}  Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.3.0\n`);
    (o.gpus ?? []).forEach((model, i) => {
      const dir = path.join(procRoot, 'driver', 'nvidia', 'gpus', `0000:0${i}:00.0`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'information'), `Model: \t\t ${model}\nIRQ:   \t\t 42\nBus Location: \t 0000:0${i}:00.0\nDevice Minor: \t ${i}\n`);
    });
  }
  for (let i = 0; i < (o.nodes ?? 0); i++) fs.writeFileSync(path.join(devRoot, `nvidia${i}`), '');
  fs.writeFileSync(path.join(devRoot, 'nvidiactl'), '');
  return { procRoot, devRoot };
}

/** An nvidia-smi that prints what a driver's does for these queries. */
function fakeSmi(name: string, query: string, banner: string): string {
  const file = path.join(tmp, `${name}-nvidia-smi`);
  fs.writeFileSync(file, `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) printf '%s\\n' '${query}' ;;\n  *) printf '%s\\n' '${banner}' ;;\nesac\n`, { mode: 0o755 });
  return file;
}

describe('NVIDIA driver and GPUs', () => {
  it('reads the driver version of the proprietary and the open kernel modules', () => {
    expect(parseDriverVersion('NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023')).toBe('535.104.05');
    expect(parseDriverVersion('NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build  (dvs-builder@U16-T02-35-3)')).toBe('550.54.15');
    expect(parseDriverVersion('garbage')).toBeUndefined();
  });

  it('compares driver versions numerically and names the minimum for CUDA 12', () => {
    expect(compareVersions('535.104.05', '525.60.13')).toBe(1);
    expect(compareVersions('525.60.13', '525.60.13')).toBe(0);
    expect(compareVersions('525.60.9', '525.60.13')).toBe(-1);
    expect(driverProblem('550.54.15')).toBeNull();
    expect(driverProblem('470.82.01')).toBe(`the NVIDIA driver 470.82.01 is too old for CUDA 12 (TensorFlow 2.21's GPU build needs ${MIN_DRIVER} or newer): update the driver`);
  });

  it('no driver: says so, naming the file it looked for', () => {
    const s = probeNvidia({ ...machine('none', {}), nvidiaSmi: null, env: {} });
    expect(s.driver).toBeUndefined();
    expect(s.problem).toMatch(/^no NVIDIA driver: .*driver\/nvidia\/version does not exist/);
  });

  it('a driver too old for CUDA 12 is the reason, even with a GPU present', () => {
    const s = probeNvidia({ ...machine('old', { driver: '470.82.01', gpus: ['Tesla T4'], nodes: 1 }), nvidiaSmi: null, env: {} });
    expect(s.driver).toBe('470.82.01');
    expect(s.gpus.map((g) => g.name)).toEqual(['Tesla T4']);
    expect(s.problem).toMatch(/470\.82\.01 is too old for CUDA 12/);
  });

  it('a usable GPU: names, memory and compute capability from nvidia-smi, the driver\'s CUDA from its banner', () => {
    const smi = fakeSmi('h100', '0, NVIDIA H100 80GB HBM3, 81559, 81000, 9.0, 550.54.15', '| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |');
    const s = probeNvidia({ ...machine('ok', { driver: '550.54.15', gpus: ['NVIDIA H100 80GB HBM3'], nodes: 1 }), nvidiaSmi: smi, env: {} });
    expect(s.problem).toBeNull();
    expect(s.driverCuda).toBe('12.4');
    expect(s.source).toBe('nvidia-smi');
    expect(s.gpus).toEqual([{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, freeMiB: 81000, computeCapability: '9.0', bus: '0000:00:00.0' }]);
  });

  it('without nvidia-smi the GPUs come from /proc, and the report says what is missing', () => {
    const s = probeNvidia({ ...machine('nosmi', { driver: '550.54.15', gpus: ['NVIDIA A100-SXM4-40GB'], nodes: 1 }), nvidiaSmi: path.join(tmp, 'no-such-smi'), env: {} });
    expect(s.problem).toBeNull();
    expect(s.gpus[0]).toMatchObject({ index: 0, name: 'NVIDIA A100-SXM4-40GB' });
    expect(s.gpus[0]!.memoryMiB).toBeUndefined();
    expect(s.source).toMatch(/nvidia-smi not found: no memory or compute capability/);
  });

  it('CUDA_VISIBLE_DEVICES that hides every GPU, and a driver without devices, are reasons too', () => {
    const m = machine('hidden', { driver: '550.54.15', gpus: ['NVIDIA L4'], nodes: 1 });
    for (const v of ['', '-1', 'NoDevFiles']) expect(probeNvidia({ ...m, nvidiaSmi: null, env: { CUDA_VISIBLE_DEVICES: v } }).problem).toMatch(/hides every GPU/);
    expect(probeNvidia({ ...m, nvidiaSmi: null, env: { CUDA_VISIBLE_DEVICES: '0' } }).problem).toBeNull();
    const noDev = machine('nodev', { driver: '550.54.15', gpus: ['NVIDIA L4'], nodes: 0 });
    expect(probeNvidia({ ...noDev, nvidiaSmi: null, env: {} }).problem).toMatch(/loaded but no GPU device is present/);
  });

  it('parses nvidia-smi rows, skipping anything else', () => {
    const r = parseNvidiaSmiQuery('0, NVIDIA A10G, 23028, 22800, 8.6, 535.104.05\n1, NVIDIA A10G, 23028, [N/A], 8.6, 535.104.05\nNo devices were found\n');
    expect(r.driver).toBe('535.104.05');
    expect(r.gpus).toHaveLength(2);
    expect(r.gpus[1]).toEqual({ index: 1, name: 'NVIDIA A10G', memoryMiB: 23028, freeMiB: undefined, computeCapability: '8.6' });
    expect(parseNvidiaSmiCuda('Driver Version: 535.104.05   CUDA Version: 12.2')).toBe('12.2');
  });
});
