import { describe, expect, it } from 'vitest';
import { renderDoctor, renderGpu, renderPlacement } from '../../cli/doctor-report.js';
import type { GpuStatus } from '../../runtime/backend/gpu.js';
import type { PlacementReport } from '../../runtime/backend/placement.js';

const GPU = '/job:localhost/replica:0/task:0/device:GPU:0';
const CPU = '/job:localhost/replica:0/task:0/device:CPU:0';

describe('doctor: the GPU section', () => {
  it('a GPU in use: the card, driver, CUDA and cuDNN, what TensorFlow sees', () => {
    const g: GpuStatus = {
      library: { dir: '/p/node_modules/.attnc/tfjs-node-gpu', description: 'tensorflow 2.21.0, CUDA 12.5, cuDNN 9.3.0 (wheels unpacked at /c/site)', cuda: '12.5', cudnn: '9.3.0', standIn: false, cudaLibraries: { reached: ['/c/site/nvidia/cublas/lib', '/c/site/nvidia/cudnn/lib'], missed: [] } },
      system: { driver: '550.54.15', driverCuda: '12.4', gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, freeMiB: 81000, computeCapability: '9.0' }], source: 'nvidia-smi', problem: null },
      tf: { devices: [{ device: 'GPU:0', memoryMB: 79078, name: 'NVIDIA H100 80GB HBM3', bus: '0000:18:00.0', computeCapability: '9.0' }], cudnn: '9.3.0', problems: [], usingGpuDevice: true },
      reason: null,
    };
    expect(renderGpu(g)).toBe(`gpu:
  library          tensorflow 2.21.0, CUDA 12.5, cuDNN 9.3.0 (wheels unpacked at /c/site)
  nvidia driver    550.54.15 (supports CUDA ≤ 12.4)
  gpu 0            NVIDIA H100 80GB HBM3, 81,559 MiB, compute capability 9.0 (nvidia-smi)
  cuda / cudnn     12.5 / 9.3.0 (the provisioned wheels)
  cuda libraries   TensorFlow's run path reaches 2 of 2 unpacked
  tensorflow sees  GPU:0 NVIDIA H100 80GB HBM3, 79,078 MB, compute capability 9.0; cuDNN 9.3.0 loaded
  gpu              tensorflow-gpu runs on the GPU (\`--backend auto\` picks it)
`);
  });

  it('no GPU: the exact reason, and the CUDA folders TensorFlow cannot reach', () => {
    const g: GpuStatus = {
      library: { dir: '/p', description: 'tensorflow 2.21.0, CUDA 12.5, cuDNN 9.3.0 (wheels unpacked at /c/site)', cuda: '12.5', cudnn: '9.3.0', standIn: false, cudaLibraries: { reached: ['/c/site/nvidia/cublas/lib'], missed: ['/c/site/nvidia/cudnn/lib'] } },
      system: { driver: '470.82.01', gpus: [{ index: 0, name: 'Tesla T4' }], source: '/proc/driver/nvidia (nvidia-smi not found: no memory or compute capability)', problem: 'the NVIDIA driver 470.82.01 is too old for CUDA 12' },
      tf: { devices: [], problems: ['Cannot dlopen some GPU libraries.'], usingGpuDevice: false },
      reason: 'the NVIDIA driver 470.82.01 is too old for CUDA 12; TensorFlow: Cannot dlopen some GPU libraries.',
    };
    const text = renderGpu(g);
    expect(text).toContain('  gpu 0            Tesla T4 (/proc/driver/nvidia (nvidia-smi not found: no memory or compute capability))\n');
    expect(text).toContain('  cuda libraries   TensorFlow\'s run path reaches 1 of 2 unpacked; not cudnn\n');
    expect(text).toContain('  tensorflow sees  no GPU device\n');
    expect(text).toContain('  no gpu           the NVIDIA driver 470.82.01 is too old for CUDA 12; TensorFlow: Cannot dlopen some GPU libraries.\n');
  });

  it('the fast paths\' placement: devices, and why one falls back', () => {
    const p: PlacementReport = {
      backend: 'tensorflow-gpu',
      usingGpuDevice: true,
      tf: { devices: [], problems: [] },
      fastPaths: [
        { id: 'fused-batchnorm', ops: [{ op: 'FusedBatchNormV3', device: GPU }, { op: 'FusedBatchNormGradV3', device: GPU }] },
        { id: 'block-lstm', ops: [{ op: 'BlockLSTMV2', device: CPU }], fallback: 'BlockLSTMV2 has no GPU kernel here (TensorFlow placed it on CPU:0)' },
      ],
    };
    expect(renderPlacement(p).replace(/\x1b\[[0-9;]*m/g, '')).toBe(`fast-path placement (tensorflow-gpu, on a GPU):
  fused-batchnorm  GPU:0    ok  FusedBatchNormV3 FusedBatchNormGradV3
  block-lstm       CPU:0    falls back: BlockLSTMV2 has no GPU kernel here (TensorFlow placed it on CPU:0)  BlockLSTMV2
`);
  });
});

describe('attnc doctor report', () => {
  it("prints a skipped backend's reason whole, not cut in the middle of its path (issue 20, item 14)", () => {
    const reason =
      "/home/someone/projects/my-gan/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node: libtensorflow.so.2: cannot open shared object file: No such file or directory\nRequire stack:\n- /x";
    const out = renderDoctor({ name: 'wasm', requested: 'auto', skipped: [{ name: 'tensorflow', reason }], tfjsVersion: '4.22.0', threads: 1 }, [], '');
    expect(out).toContain(`  skipped tensorflow ${reason.split('\n')[0]}\n`);
    expect(out).not.toContain('Require stack');
  });
});
