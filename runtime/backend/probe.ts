import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './index.js';

/** The fixed workload `attnc doctor` times: one 3×3 conv (8×64×64×32 → 32) and a 256² matmul, forward. */
export const PROBE_WORKLOAD = 'conv3x3 8×64×64×32→32 + matmul 256×256×256, forward, median of 5';

export interface ProbeResult {
  backend: BackendName;
  ms?: number;
  error?: string;
}

/** Time the probe on `backend` (already registered); restores the previous backend afterwards. */
export async function probeBackend(backend: BackendName): Promise<ProbeResult> {
  const previous = tf.getBackend();
  // The cpu backend greets Node users with a banner suggesting tfjs-node; we already report backends.
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    if (!(await tf.setBackend(backend))) return { backend, error: 'not available' };
    await tf.ready();
    const x = tf.randomNormal<tf.Rank.R4>([8, 64, 64, 32], 0, 1, 'float32', 1);
    const w = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 32], 0, 0.1, 'float32', 2);
    const a = tf.randomNormal([256, 256], 0, 1, 'float32', 3);
    const run = async () => {
      const t0 = performance.now();
      const y = tf.tidy(() => tf.add(tf.sum(tf.conv2d(x, w, 1, 'same')), tf.sum(tf.matMul(a, a))));
      await y.data();
      y.dispose();
      return performance.now() - t0;
    };
    await run(); // warm-up: kernels compile / caches fill
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await run());
    tf.dispose([x, w, a]);
    times.sort((p, q) => p - q);
    return { backend, ms: times[2] };
  } catch (e) {
    return { backend, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    tf.env().set('PROD', prod);
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  }
}
