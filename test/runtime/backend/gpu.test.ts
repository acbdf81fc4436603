import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { disableFastPath, disabledFastPaths, fastPathEnabled, resetFastPaths } from '../../../runtime/backend/fast-paths.js';
import { cudaVersions, describeGpuLibrary, findGpuLibrary, gpuEnv, parseGpuMemory, type GpuManifest } from '../../../runtime/backend/gpu.js';
import { NativeAdamState } from '../../../runtime/backend/native-adam.js';
import { nativeBatchNormInfer, nativeBatchNormTrain, nativeBatchNormTrainWithGrad, nativeLstmSequence, nativeReverseSequence } from '../../../runtime/backend/native-ops.js';
import type { NvidiaSystem } from '../../../runtime/backend/nvidia.js';
import { choosePlan } from '../../../runtime/backend/conv-plan.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-gpu-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const h100: NvidiaSystem = {
  driver: '550.54.15',
  gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, freeMiB: 81000, computeCapability: '9.0' }, { index: 1, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, freeMiB: 40000 }],
  source: 'nvidia-smi',
  problem: null,
};

const manifest = (site: string, name = 'tensorflow'): GpuManifest => ({
  version: 1,
  tensorflow: { name, version: '2.21.0', wheel: `${name.replace('-', '_')}-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl` },
  nvidia: [
    { name: 'nvidia-cuda-runtime-cu12', version: '12.5.82', wheel: 'x.whl' },
    { name: 'nvidia-cudnn-cu12', version: '9.3.0.75', wheel: 'y.whl' },
  ],
  site,
  tfjsNode: '4.22.0',
  binding: 'built from source',
});

describe('GPU memory options', () => {
  it('memory growth is on unless the user set TensorFlow\'s variable', () => {
    expect(gpuEnv({}, undefined, h100)).toEqual({ TF_FORCE_GPU_ALLOW_GROWTH: 'true' });
    expect(gpuEnv({ TF_FORCE_GPU_ALLOW_GROWTH: 'false' }, undefined, h100)).toEqual({});
  });

  it('--gpu-memory caps the first visible GPU through the memory TensorFlow leaves to the system', () => {
    expect(gpuEnv({}, 8192, h100)).toEqual({ TF_FORCE_GPU_ALLOW_GROWTH: 'true', TF_DEVICE_MIN_SYS_MEMORY_IN_MB: String(81000 - 8192) });
    expect(gpuEnv({ CUDA_VISIBLE_DEVICES: '1,0' }, 8192, h100).TF_DEVICE_MIN_SYS_MEMORY_IN_MB).toBe(String(40000 - 8192));
  });

  it('a cap it cannot apply is an error that says why', () => {
    expect(() => gpuEnv({}, 90000, h100)).toThrowError(/--gpu-memory 90000 MiB is more than GPU 0's free memory \(81000 MiB\)/);
    const noSmi = { ...h100, gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3' }], source: '/proc/driver/nvidia (nvidia-smi not found: no memory or compute capability)' };
    expect(() => gpuEnv({}, 8192, noSmi)).toThrowError(/needs the GPU's free memory, and nvidia-smi gave none/);
  });

  it('parses --gpu-memory as whole MiB', () => {
    expect(parseGpuMemory(undefined)).toBeUndefined();
    expect(parseGpuMemory('8192')).toBe(8192);
    for (const bad of ['8G', '0', '-5', '1.5']) expect(() => parseGpuMemory(bad), bad).toThrowError(/not a whole number of MiB/);
  });
});

describe('the provisioned GPU library', () => {
  it('says exactly what is missing', () => {
    expect(findGpuLibrary(null).problem).toMatch(/not provisioned/);
    const dir = path.join(tmp, 'pkg');
    fs.mkdirSync(dir, { recursive: true });
    expect(findGpuLibrary(dir).problem).toBe('the GPU library is not provisioned');
    const site = path.join(tmp, 'site');
    fs.writeFileSync(path.join(dir, 'attnc-gpu.json'), JSON.stringify(manifest(site)));
    expect(findGpuLibrary(dir).problem).toMatch(/binding .*tfjs_binding\.node is missing; provision again/);
    fs.mkdirSync(path.join(dir, 'lib', 'napi-v8'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
    expect(findGpuLibrary(dir).problem).toMatch(/TensorFlow is gone from .*site; provision again/);
    fs.mkdirSync(path.join(site, 'tensorflow'), { recursive: true });
    fs.writeFileSync(path.join(site, 'tensorflow', 'libtensorflow_cc.so.2'), '');
    expect(findGpuLibrary(dir).library?.manifest.site).toBe(site);
  });

  it('names its CUDA and cuDNN from the wheels, and a CPU wheel standing in for what it is', () => {
    expect(cudaVersions(manifest('/s'))).toEqual({ cuda: '12.5', cudnn: '9.3.0' });
    expect(describeGpuLibrary(manifest('/s'))).toBe('tensorflow 2.21.0, CUDA 12.5, cuDNN 9.3.0 (wheels unpacked at /s)');
    expect(describeGpuLibrary(manifest('/s', 'tensorflow-cpu'))).toMatch(/— tensorflow-cpu standing in: a CPU build, it never uses a GPU$/);
  });
});

describe('fast-path fallback', () => {
  afterEach(() => resetFastPaths());

  it('a fast path switched off keeps tfjs\'s ops, and says so once', async () => {
    if (tf.getBackend() !== 'tensorflow') return; // the fast paths exist on the native backend only
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const x = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
      const [g, b, m, v] = [tf.ones([3]), tf.zeros([3]), tf.zeros([3]), tf.ones([3])] as tf.Tensor1D[];
      const y = nativeBatchNormInfer(x, g!, b!, m!, v!, 1e-5);
      expect(y).not.toBeNull();
      const shape = { input: [4, 8, 8, 512], kh: 3, kw: 3, inChannels: 512, outChannels: 512, stride: 1, outH: 8, outW: 8 };
      expect(choosePlan(shape)).toBe('patches');
      const reluKernels = async () => (await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(tf.tensor1d([-1, 2])))).kernelNames;
      expect(await reluKernels()).toContain('AttncReluGrad');
      for (const id of ['fused-batchnorm', 'conv-patches', 'fused-adam', 'block-lstm', 'reverse-sequence', 'activation-grads'] as const) {
        disableFastPath(id, 'FusedBatchNormV3 has no GPU kernel here (test)');
        disableFastPath(id, 'again');
      }
      expect(fastPathEnabled('fused-batchnorm')).toBe(false);
      expect(nativeBatchNormInfer(x, g!, b!, m!, v!, 1e-5)).toBeNull();
      const running = { mean: m!, variance: v!, momentum: 0.1 };
      expect(nativeBatchNormTrain(x, g!, b!, 1e-5, running)).toBeNull();
      expect(nativeBatchNormTrainWithGrad(x, g!, b!, 1e-5, running)).toBeNull();
      expect(nativeReverseSequence(x, tf.tensor1d([1], 'int32'), 1, 0)).toBeNull();
      expect(await reluKernels()).not.toContain('AttncReluGrad');
      expect(choosePlan(shape)).toBe('native');
      expect(NativeAdamState.create()).toBeNull();
      expect(nativeLstmSequence(tf.ones([2, 1, 2]) as tf.Tensor3D, tf.ones([3, 4]) as tf.Tensor2D, tf.zeros([4]) as tf.Tensor1D)).toBeNull();
      const said = write.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('falls back'));
      expect(said).toHaveLength(6);
      expect(said[0]).toBe('attnc: BatchNorm forward and backward as fused ops (fused-batchnorm) falls back to tfjs\'s ops: FusedBatchNormV3 has no GPU kernel here (test)\n');
      expect([...disabledFastPaths().keys()]).toEqual(['fused-batchnorm', 'conv-patches', 'fused-adam', 'block-lstm', 'reverse-sequence', 'activation-grads']);
      tf.dispose([x, g!, b!, m!, v!, y!]);
    } finally {
      write.mockRestore();
    }
  });
});
