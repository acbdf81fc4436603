/**
 * `attnc setup --gpu` up to the unpacked library, on small stand-in wheels (test/e2e/stand-in-wheels.ts):
 * the failure messages (no driver, a driver too old, disk space, a folder or an index without the
 * wheels) and the unpack (layout, manifest, idempotent, resumable). The whole path with the real
 * CPU wheel standing in, through the binding and a training run, is test/e2e/gpu-setup.sh (CI).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setupGpu } from '../../../cli/setup/gpu.js';
import { probeNvidia, type NvidiaSystem } from '../../../runtime/backend/nvidia.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { fakeNvidiaWheel, fakeTensorflowWheel } from '../../e2e/stand-in-wheels.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-setup-gpu-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const REQUIRES = [{ name: 'nvidia-cublas-cu12', spec: '<13.0,>=12.5.3.2' }, { name: 'nvidia-cudnn-cu12', spec: '<10.0,>=9.3.0.75' }];
const gpu: NvidiaSystem = { driver: '550.54.15', gpus: [{ index: 0, name: 'NVIDIA L4', memoryMiB: 23034, freeMiB: 22000, computeCapability: '8.9' }], source: 'nvidia-smi', problem: null };
const deps = { nvidia: () => gpu, package: false as const };

let cache: string;
let n = 0;
const saved = process.env.ATTNC_CACHE_DIR;
let log: string[];
beforeEach(() => {
  cache = path.join(tmp, `cache-${n++}`);
  process.env.ATTNC_CACHE_DIR = cache;
  log = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    log.push(String(s));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.ATTNC_CACHE_DIR;
  else process.env.ATTNC_CACHE_DIR = saved;
});

function folder(name: string, o: { tf?: boolean; nvidia?: string[] } = {}): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  if (o.tf !== false) fakeTensorflowWheel(dir, REQUIRES);
  for (const r of REQUIRES.filter((q) => (o.nvidia ?? REQUIRES.map((x) => x.name)).includes(q.name))) fakeNvidiaWheel(dir, r);
  return dir;
}

async function failure(p: Promise<unknown>): Promise<AttncError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(AttncError);
  return e as AttncError;
}

describe('attnc setup --gpu: what it checks first', () => {
  it('no NVIDIA driver: says so before fetching anything, and how to provision anyway', async () => {
    const none = () => probeNvidia({ procRoot: path.join(tmp, 'no-proc'), devRoot: path.join(tmp, 'no-dev'), nvidiaSmi: null, env: {} });
    const e = await failure(setupGpu({ from: folder('driverless') }, { ...deps, nvidia: none }));
    expect(e.code).toBe('ATTNC_SETUP');
    expect(e.message).toMatch(/^no NVIDIA driver: .*no-proc\/driver\/nvidia\/version does not exist/);
    expect(e.hint).toMatch(/needs an NVIDIA driver 525\.60\.13 or newer .*`--no-driver-check` provisions it anyway/);
    expect(fs.existsSync(path.join(cache, 'tensorflow-gpu-2.21.0', 'site'))).toBe(false);
  });

  it('a driver too old for CUDA 12: names its version and the minimum', async () => {
    const old: NvidiaSystem = { ...gpu, driver: '470.82.01', problem: 'the NVIDIA driver 470.82.01 is too old for CUDA 12 (TensorFlow 2.21\'s GPU build needs 525.60.13 or newer): update the driver' };
    const e = await failure(setupGpu({ from: folder('old-driver') }, { ...deps, nvidia: () => old }));
    expect(e.message).toBe(old.problem);
    // --no-driver-check goes on, and says why there will be no GPU.
    await setupGpu({ from: folder('old-driver'), driverCheck: false }, { ...deps, nvidia: () => old });
    expect(log.join('')).toContain('no usable GPU here (the NVIDIA driver 470.82.01 is too old for CUDA 12');
  });

  it('not enough disk space: how much the unpack writes, how much is free, what to do', async () => {
    const e = await failure(setupGpu({ from: folder('disk') }, { ...deps, freeBytes: () => 1000 }));
    expect(e.code).toBe('ATTNC_SETUP_DISK');
    expect(e.message).toMatch(new RegExp(`^not enough disk space in ${cache}: unpacking the GPU library writes 0\\.0 GB, and 0\\.0 GB is free$`));
    expect(e.hint).toMatch(/ATTNC_CACHE_DIR/);
  });
});

describe('attnc setup --gpu --from <folder>', () => {
  it('a folder without the TensorFlow wheel, or without some CUDA wheels: names what is missing', async () => {
    const noTf = folder('no-tf', { tf: false });
    let e = await failure(setupGpu({ from: noTf }, deps));
    expect(e.message).toBe(`${noTf} holds no tensorflow-2.21.0 wheel for Linux x86-64`);
    expect(e.hint).toMatch(/pip download --only-binary=:all: .* "tensorflow\[and-cuda\]==2\.21\.0"/);
    const partial = folder('partial', { nvidia: ['nvidia-cublas-cu12'] });
    e = await failure(setupGpu({ from: partial }, deps));
    expect(e.message).toBe(`${partial} lacks 1 of the 2 CUDA wheels TensorFlow 2.21.0 needs: nvidia-cudnn-cu12<10.0,>=9.3.0.75`);
  });

  it('unpacks as pip lays out site-packages, writes the manifest, and a second run reuses it all', async () => {
    const from = folder('complete');
    const r = await setupGpu({ from }, deps);
    const site = path.join(cache, 'tensorflow-gpu-2.21.0', 'site');
    expect(r.manifest).toEqual({
      version: 1,
      tensorflow: { name: 'tensorflow', version: '2.21.0', wheel: 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl' },
      nvidia: [
        { name: 'nvidia-cublas-cu12', version: '12.5.3.2', wheel: 'nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl' },
        { name: 'nvidia-cudnn-cu12', version: '9.3.0.75', wheel: 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl' },
      ],
      site,
    });
    expect(JSON.parse(fs.readFileSync(path.join(cache, 'tensorflow-gpu-2.21.0', 'attnc-gpu.json'), 'utf8'))).toEqual(r.manifest);
    for (const f of ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2', 'tensorflow/include/tensorflow/c/c_api.h', 'tensorflow/include/LICENSE', 'nvidia/cublas/lib/libcublas.so.12', 'nvidia/cudnn/lib/libcudnn.so.12']) {
      expect(fs.existsSync(path.join(site, f)), f).toBe(true);
    }
    // Only what attnc uses of the TensorFlow wheel; nothing left behind in scratch folders.
    expect(fs.existsSync(path.join(site, 'tensorflow', 'python'))).toBe(false);
    expect(fs.readdirSync(path.join(cache, 'tensorflow-gpu-2.21.0')).sort()).toEqual(['attnc-gpu.json', 'site']);
    expect(log.filter((l) => l.includes('unpacking'))).toHaveLength(3);
    // The stand-in's libraries are not ELF files: nothing is reachable, and it says so.
    expect(log.join('')).toContain('TensorFlow\'s run path reaches 0 of 2 unpacked CUDA library folders');
    expect(log.join('')).toContain('WARNING: not nvidia/cublas/lib, nvidia/cudnn/lib: TensorFlow may not find those libraries');
    log.length = 0;
    await setupGpu({ from }, deps);
    expect(log.filter((l) => l.includes('unpacking'))).toHaveLength(0);
    expect(log.join('')).toContain(`reusing the unpacked wheels in ${site}`);
  });

  it('resumes an interrupted unpack: only the wheels without a marker are unpacked again', async () => {
    const from = folder('resume');
    await setupGpu({ from }, deps);
    const site = path.join(cache, 'tensorflow-gpu-2.21.0', 'site');
    // As if killed while unpacking cudnn: its marker not written yet, a scratch folder left.
    fs.rmSync(path.join(site, '.unpacked', 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl'));
    fs.rmSync(path.join(site, 'nvidia', 'cudnn'), { recursive: true });
    fs.mkdirSync(path.join(cache, 'tensorflow-gpu-2.21.0', 'partial-99999', 'nvidia'), { recursive: true });
    log.length = 0;
    await setupGpu({ from }, deps);
    expect(log.filter((l) => l.includes('unpacking'))).toEqual(['[attnc setup] gpu: (1/1) unpacking nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl …\n']);
    expect(fs.existsSync(path.join(site, 'nvidia', 'cudnn', 'lib', 'libcudnn.so.12'))).toBe(true);
  });
});

describe('attnc setup --gpu from the package index (pip, no network: a local folder as the index)', () => {
  const pipEnv = (links: string) => ({ ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_FIND_LINKS: links });

  it('an index that does not serve tensorflow (the CUDA build): says so, where pip looked, and the two ways out', async () => {
    const empty = path.join(tmp, 'empty-index');
    fs.mkdirSync(empty, { recursive: true });
    const e = await failure(setupGpu({}, { ...deps, env: pipEnv(empty) }));
    expect(e.message).toBe(`the package index does not serve tensorflow==2.21.0 for Linux x86-64 (the CUDA build of TensorFlow; pip looked in ${empty})`);
    expect(e.hint).toMatch(/PIP_INDEX_URL=https:\/\/pypi\.org\/simple npx attnc setup --gpu.*npx attnc setup --gpu --from wheels/);
  });

  it('not enough disk space for the downloads: says so before pip runs', async () => {
    const e = await failure(setupGpu({}, { ...deps, env: pipEnv(path.join(tmp, 'never-read')), freeBytes: () => 2e9 }));
    expect(e.code).toBe('ATTNC_SETUP_DISK');
    expect(e.message).toBe(`not enough disk space in ${cache}: the GPU wheels take about 3.6 GB to download (and about twice that unpacked), and 2.0 GB is free`);
    expect(log.join('')).not.toContain('pip download');
  });

  it('no Python with pip: says so, and that a folder of wheels works without it', async () => {
    const e = await failure(setupGpu({}, { ...deps, env: { ...process.env, PATH: path.join(tmp, 'no-bin') } }));
    expect(e.message).toBe('pip is needed to fetch the GPU wheels, and no python3 or python with pip was found');
    expect(e.hint).toMatch(/install python3-pip, or fetch the wheels elsewhere .* --from/);
  });

  /** The cache's wheels/ as a previous run left it: TensorFlow's wheel there (each pip call costs seconds). */
  const seedTensorflow = (index: string) => {
    fs.mkdirSync(path.join(cache, 'wheels'), { recursive: true });
    const tf = fs.readdirSync(index).find((f) => f.startsWith('tensorflow-'))!;
    fs.copyFileSync(path.join(index, tf), path.join(cache, 'wheels', tf));
  };

  it('an index with tensorflow but without the CUDA wheels: lists every missing one', async () => {
    const index = folder('tf-only-index', { nvidia: [] });
    seedTensorflow(index);
    const e = await failure(setupGpu({}, { ...deps, env: pipEnv(index) }));
    expect(e.message).toBe(`the package index serves tensorflow 2.21.0 but not 2 of the CUDA wheels it needs: nvidia-cublas-cu12<13.0,>=12.5.3.2, nvidia-cudnn-cu12<10.0,>=9.3.0.75 (pip looked in ${index})`);
    expect(e.hint).toMatch(/PIP_INDEX_URL=https:\/\/pypi\.org\/simple.*--from/);
    expect(log.join('')).not.toContain('pip download tensorflow');
  });

  it('an index with every wheel: downloads the missing ones into the cache in one go and unpacks them', async () => {
    const index = folder('full-index');
    seedTensorflow(index);
    const r = await setupGpu({}, { ...deps, env: pipEnv(index) });
    expect(r.manifest.nvidia.map((w) => w.name)).toEqual(['nvidia-cublas-cu12', 'nvidia-cudnn-cu12']);
    expect(fs.readdirSync(path.join(cache, 'wheels')).sort()).toEqual(fs.readdirSync(index).sort());
    log.length = 0;
    await setupGpu({}, { ...deps, env: pipEnv(path.join(tmp, 'empty-index')) });
    expect(log.join('')).not.toContain('pip download');
  });
});
