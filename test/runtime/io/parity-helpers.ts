import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ProjectionConv1x1, ProjectionLinear } from '../../../runtime/encoders/heads.js';
import { decodeSafetensors, type TensorRecord } from '../../../runtime/io/safetensors.js';
import { setAttentionMaskMode } from '../../../runtime/model/checkpoint-options.js';
import { DNet } from '../../fixtures/oracles/d-net.js';
import { loadPth } from '../../../runtime/nn/weights.js';
import { Module } from '../../../runtime/nn/module.js';
import { createModel, disposeModel } from '../../fixtures/pth/generated/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PTH_FIXTURES = path.join(here, '..', '..', 'fixtures', 'pth');
export const fixture = (name: string) => path.join(PTH_FIXTURES, name);

/** tools/make_pth_fixtures.py's sizes and inputs. */
export const P = {
  vocab: 12, B: 3, T: 5, nef: 16, local: 12, global: 20, region: 6, z: 8, c: 8,
  tokens: [[3, 1, 4, 11, 5], [9, 2, 6, 5, 0], [7, 10, 0, 0, 0]],
  lengths: [5, 4, 2],
  classIds: [3, 7, 3],
  gamma: { gamma1: 4, gamma2: 5, gamma3: 10 },
} as const;

/** The fixture script's det(): ((i·7919 + seed·104729) mod 2003) / 1001.5 − 1 in NCHW order, as float32. */
export function det(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = ((i * 7919 + seed * 104729) % 2003) / 1001.5 - 1;
  return tf.tensor(out, shape);
}

/** det() of an NCHW image as NHWC. */
export function detImage(b: number, c: number, h: number, w: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(det([b, c, h, w], seed), [0, 2, 3, 1]) as tf.Tensor4D);
}

export function readReference(mode: 'eval' | 'train'): Map<string, TensorRecord> {
  const file = fixture(`reference_${mode}.safetensors`);
  return decodeSafetensors(fs.readFileSync(file), file).tensors;
}

/** The CNN_ENCODER projections under their state_dict names, on small trunk features. */
export class Heads extends Module {
  readonly emb_features = this.addModule('emb_features', new ProjectionConv1x1(P.local, P.nef));
  readonly emb_cnn_code = this.addModule('emb_cnn_code', new ProjectionLinear(P.global, P.nef));
}

export interface Compared {
  name: string;
  maxAbs: number;
  scale: number;
}

/**
 * max |got − want| over all elements, and the output's scale max|want| (at least 1e-3). `got` is
 * already in PyTorch layout.
 */
export function compare(name: string, got: tf.Tensor, want: TensorRecord | undefined): Compared {
  if (!want) throw new Error(`reference has no ${name}`);
  if (got.shape.join() !== want.shape.join()) throw new Error(`${name}: shape [${got.shape}] vs reference [${want.shape}]`);
  const g = got.dataSync();
  let maxAbs = 0;
  let scale = 1e-3;
  for (let i = 0; i < g.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(g[i]! - want.data[i]!));
    scale = Math.max(scale, Math.abs(want.data[i]!));
  }
  if (Number.isNaN(maxAbs) || g.some((x) => Number.isNaN(x))) maxAbs = Infinity;
  return { name, maxAbs, scale };
}

/** NHWC → NCHW (PyTorch) for comparison. */
export const nchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

export interface Nets {
  model: ReturnType<typeof createModel>;
  d128: DNet;
  d256: DNet;
  heads: Heads;
}

/** The parity networks with a fixture's weights (each `<name>[_legacy].pth`) loaded strictly. */
export function load(format: 'zip' | 'legacy'): Nets {
  const model = createModel({ vocabSize: P.vocab, seed: 5 });
  const d128 = new DNet({ size: 128, ndf: 1, nef: P.nef });
  const d256 = new DNet({ size: 256, ndf: 1, nef: P.nef });
  const heads = new Heads();
  const sfx = format === 'zip' ? '' : '_legacy';
  const pairs = parityPairs({ model, d128, d256, heads });
  for (const [name, m] of pairs) {
    const r = loadPth(m, fixture(`${name}${sfx}.pth`)); // strict: throws on missing/unexpected/mismatched
    if (r.format !== format) throw new Error(`${name}: ${r.format} format, expected ${format}`);
  }
  // The original's mask tiling, as `attnc import` switches it on for imported weights.
  setAttentionMaskMode(model.generator, 'original_bug');
  return { model, d128, d256, heads };
}

export function dispose(n: Nets): void {
  disposeModel(n.model);
  n.d128.dispose();
  n.d256.dispose();
  n.heads.dispose();
}


/** Fixture file stem → the attnc network it loads into. */
export function parityPairs(n: Nets): Array<[string, Module]> {
  return [
    ['text_encoder', n.model.textEncoder],
    ['image_heads', n.heads],
    ['netG', n.model.generator],
    ['netD64', n.model.discriminators[1]],
    ['netD128', n.d128],
    ['netD256', n.d256],
  ];
}
