import { describe, expect, it } from 'vitest';
import { FAST_PATH_IDS, FAST_PATHS } from '../../../runtime/backend/fast-paths.js';
import { checkPlacement, parsePlacementLog, parseTfGpuLog, placementVerdict, shortDevice } from '../../../runtime/backend/placement.js';

const CPU = '/job:localhost/replica:0/task:0/device:CPU:0';
const GPU = '/job:localhost/replica:0/task:0/device:GPU:0';

// TensorFlow 2.21's eager placement lines (execute.cc, TF_CPP_VMODULE=execute=1) between probe markers.
const LOG = `I0000 00:00:1796524204.602951    8937 port.cc:153] oneDNN custom operations are on.
I0000 00:00:1796524204.855701    8937 execute.cc:1249] PreferredDevice BatchMatMulV2: /job:localhost/replica:0/task:0
@@attnc-probe fused-batchnorm
I0000 00:00:1796524204.868837    8937 execute.cc:1250] Placer place op [FusedBatchNormV3] on device: ${GPU}
I0000 00:00:1796524204.871355    8937 execute.cc:1382] Device for [FusedBatchNormGradV3] already set to: ${GPU}
@@attnc-probe block-lstm
I0000 00:00:1796524204.868837    8937 execute.cc:1250] Placer place op [Fill] on device: ${GPU}
I0000 00:00:1796524204.877877    8937 execute.cc:1775] Executing op BlockLSTMV2 in device ${CPU}
@@attnc-probe conv-patches
I0000 00:00:1796524204.868837    8937 execute.cc:1250] Placer place op [_MklBatchMatMulV2] on device: ${CPU}
@@attnc-probe end
I0000 00:00:1796524204.868837    8937 execute.cc:1250] Placer place op [Conv2D] on device: ${GPU}
`;

describe('fast-path placement', () => {
  it('reads each probe\'s ops and devices off TensorFlow\'s eager log (oneDNN\'s _Mkl names as TensorFlow\'s)', () => {
    const s = parsePlacementLog(LOG);
    expect(s['fused-batchnorm']).toEqual({ FusedBatchNormV3: GPU, FusedBatchNormGradV3: GPU });
    expect(s['block-lstm']).toEqual({ Fill: GPU, BlockLSTMV2: CPU });
    expect(s['conv-patches']).toEqual({ BatchMatMulV2: CPU });
    expect(s.end).toEqual({ Conv2D: GPU });
    expect(shortDevice(GPU)).toBe('GPU:0');
  });

  it('on a GPU, a fast path with an op placed on the CPU falls back, and so does one that failed', () => {
    const s = parsePlacementLog(LOG);
    const ok = { ok: true as const };
    const v = placementVerdict(s, { 'fused-batchnorm': ok, 'block-lstm': ok, 'conv-patches': ok, 'fused-adam': { ok: false, error: 'boom' } }, true);
    const by = Object.fromEntries(v.map((f) => [f.id, f]));
    expect(by['fused-batchnorm']!.fallback).toBeUndefined();
    expect(by['block-lstm']!.fallback).toBe('BlockLSTMV2 has no GPU kernel here (TensorFlow placed it on CPU:0)');
    expect(by['fused-adam']!.fallback).toBe('it failed here (boom)');
    // A probe that never reported is a failure, not a pass.
    expect(by['reverse-sequence']!.fallback).toMatch(/did not report/);
    // On the CPU, CPU placement is right; only the failure falls back.
    const cpu = placementVerdict(s, { 'block-lstm': ok, 'fused-adam': { ok: false, error: 'boom' } }, false);
    expect(cpu.filter((f) => f.fallback).map((f) => f.id).sort()).toEqual(['activation-grads', 'conv-patches', 'fused-adam', 'fused-batchnorm', 'reverse-sequence']);
    expect(cpu.find((f) => f.id === 'block-lstm')!.fallback).toBeUndefined();
  });

  it('reads TensorFlow\'s own lines about its GPU: the devices, cuDNN, and why there is none', () => {
    const v = parseTfGpuLog(`I0000 00:00:1712345678.123456   12345 gpu_device.cc:2022] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 79078 MB memory:  -> device: 0, name: NVIDIA H100 80GB HBM3, pci bus id: 0000:18:00.0, compute capability: 9.0
I0000 00:00:1712345679.000000   12345 cuda_dnn.cc:529] Loaded cuDNN version 90300`);
    expect(v).toEqual({ devices: [{ device: 'GPU:0', memoryMB: 79078, name: 'NVIDIA H100 80GB HBM3', bus: '0000:18:00.0', computeCapability: '9.0' }], cudnn: '9.3.0', problems: [] });
    const none = parseTfGpuLog(`W0000 00:00:1712345678.000000   12345 gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly.
E0000 00:00:1712345678.000000   12345 cuda_driver.cc:152] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)`);
    expect(none.devices).toEqual([]);
    expect(none.problems).toEqual([
      'Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly.',
      'failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)',
    ]);
  });

  it('on the native CPU backend, a child process runs every fast path and TensorFlow logs each of its ops on the CPU', async () => {
    const r = await checkPlacement('tensorflow');
    expect(r.usingGpuDevice).toBe(false);
    expect(r.tf.devices).toEqual([]);
    expect(r.fastPaths.map((f) => f.id)).toEqual(FAST_PATH_IDS);
    for (const f of r.fastPaths) {
      expect(f.error, f.id).toBeUndefined();
      expect(f.fallback, f.id).toBeUndefined();
      expect(f.ops.map((o) => o.op)).toEqual([...FAST_PATHS[f.id].ops]);
      for (const o of f.ops) expect(o.device && shortDevice(o.device), `${f.id} ${o.op}`).toBe('CPU:0');
    }
  });
});
