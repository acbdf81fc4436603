import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../../runtime/nn/module.js';
import { importState, toTorchLayout, type TorchState } from '../../runtime/nn/state.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function fixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(here, '..', 'fixtures', 'torch', name), 'utf8')) as T;
}

export type JsonState = Record<string, { shape: number[]; data: number[] }>;

/** Loads a fixture's state_dict strictly (every name and shape must fit). */
export function load(m: Module, s: JsonState): void {
  const state: TorchState = new Map(Object.entries(s).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
  const report = importState(m, state);
  expect(report.missing).toEqual([]);
  expect(report.unexpected).toEqual([]);
}

/** |a − b| ≤ tol · max(1, max|b|) elementwise: float32 here vs float64 in the fixture. Returns the worst relative error. */
export function expectClose(got: ArrayLike<number>, want: number[], tol: number): number {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol * scale);
  return worst / scale;
}

/** Gradients of `f` with respect to every parameter of `modules`, in PyTorch layout under `prefix + name`. */
export function torchGrads(modules: Array<[string, Module]>, f: () => tf.Scalar): Map<string, number[]> {
  const slots = modules.flatMap(([prefix, m]) => m.slotInfos().filter((s) => s.kind === 'param').map((s) => ({ ...s, name: prefix + s.name })));
  const { value, grads } = tf.variableGrads(f, slots.map((s) => s.variable));
  const out = new Map<string, number[]>();
  // A parameter on no path to the loss gets a zero gradient (PyTorch's autograd returns zeros for
  // the biases under MA-GP, whose input gradient does not depend on them).
  for (const s of slots) out.set(s.name, grads[s.variable.name] ? Array.from(toTorchLayout(grads[s.variable.name]!, s.layout).data) : new Array<number>(s.variable.size).fill(0));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}
