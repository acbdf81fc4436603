import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../../../runtime/nn/module.js';

export interface Arr {
  shape: number[];
  data: number[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

export function readTorchFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(here, '..', '..', 'fixtures', 'torch', name), 'utf8')) as T;
}

/**
 * Load PyTorch-layout tensors by state_dict name into a module, converting layouts the way the
 * encoders document: RNN kernels and Linear weights transposed, conv weights [O,I,kh,kw] → [kh,kw,I,O].
 */
export function loadTorchState(m: Module, weights: Record<string, Arr>): void {
  const params = new Map(m.stateDict());
  for (const [name, a] of Object.entries(weights)) {
    if (name.endsWith('num_batches_tracked')) continue;
    const v = params.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    tf.tidy(() => {
      let t = tf.tensor(a.data, a.shape, 'float32');
      if (/weight_(ih|hh)_l0/.test(name) || (t.rank === 2 && v.shape.length === 2 && name !== 'encoder.weight')) {
        t = tf.transpose(t);
      } else if (t.rank === 4) t = tf.transpose(t, [2, 3, 1, 0]);
      if (t.shape.join() !== v.shape.join()) throw new Error(`${name}: ${t.shape} vs ${v.shape}`);
      v.assign(t);
    });
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
