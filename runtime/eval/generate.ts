import * as tf from '@tensorflow/tfjs';
import { tokenize } from '../data/tokenizer.js';
import type { Vocabulary } from '../data/vocab.js';
import type { Module } from '../nn/module.js';
import { Rng } from '../util/rng.js';
import type { RuntimeModel } from '../model/contract.js';
import type { DataPlan, EvaluationPlan } from '../model/plan.js';
import { AttncError } from '../util/errors.js';

/** Noise of the generator: z, and the conditioning-augmentation ε. */
export interface NoiseInputs {
  z?: tf.Tensor2D;
  noise?: tf.Tensor2D;
}

/** What `sample` of a generated model returns: one image per stage, one attention map [B, h, w, T] per attention stage. */
export interface SampleOutputs {
  images: tf.Tensor4D[];
  attn: tf.Tensor4D[];
}

/**
 * A model ready for inference: what `attnc sample` and `attnc eval` need, whatever loaded it
 * (a checkpoint, a run folder, or a freshly built model in tests).
 */
export interface InferenceModel {
  /** Spec name, e.g. 'tiny'. */
  name: string;
  /** Where it came from (shown in reports). */
  source: string;
  vocab: Vocabulary;
  textEncoder: RuntimeModel['textEncoder'];
  generator: Module;
  /** The DAMSM image encoder trained with this model (R-precision, unless `--eval-encoders` gives others). */
  imageEncoder: RuntimeModel['imageEncoder'];
  /** The generated module's `sample` bound to this model. */
  sample(tokens: tf.Tensor2D, lengths: readonly number[], noise: NoiseInputs): SampleOutputs;
  data: DataPlan;
  evaluation: EvaluationPlan;
  /** 'ema' when the generator weights are the EMA average, 'live' otherwise, 'init' for untrained. */
  generatorWeights: 'ema' | 'live' | 'init';
  dispose(): void;
}

/** z and ε sizes read off the generator's parameters (`ca_net.fc` = Linear(nef, 4·c), `h_net1.fc.0` = Linear(c + z, …)). */
export function noiseDims(generator: Module): { z: number; condition: number } {
  const shapes = new Map(generator.namedParameterShapes());
  const ca = shapes.get('ca_net.fc.weight');
  const fc = shapes.get('h_net1.fc.0.weight');
  if (!ca || !fc) throw new Error('noiseDims: the generator has no ca_net.fc / h_net1.fc.0 (not an AttnGAN G_NET)');
  const condition = ca[1]! / 4;
  return { z: fc[0]! - condition, condition };
}

/**
 * Per-sample noise, each row a pure function of (seed, the sample's global index): the same seed
 * gives the same images whatever the batch size or shard. z ~ N(0, 1), ε ~ N(0, 1).
 */
export function seededNoise(seed: number, globalIndices: readonly number[], dims: { z: number; condition: number }): Required<NoiseInputs> {
  const B = globalIndices.length;
  const z = new Float32Array(B * dims.z);
  const eps = new Float32Array(B * dims.condition);
  globalIndices.forEach((g, b) => {
    const rng = new Rng(`attnc:sample:${seed}:${g}`);
    for (let i = 0; i < dims.z; i++) z[b * dims.z + i] = rng.normal();
    for (let i = 0; i < dims.condition; i++) eps[b * dims.condition + i] = rng.normal();
  });
  return { z: tf.tensor2d(z, [B, dims.z]), noise: tf.tensor2d(eps, [B, dims.condition]) };
}

/** Word ids of captions → 0-padded tokens [B, T] and lengths (T = longest, at least 1). */
export function tokenTensor(ids: readonly (readonly number[])[]): { tokens: tf.Tensor2D; lengths: number[] } {
  const T = Math.max(1, ...ids.map((r) => r.length));
  const flat = new Int32Array(ids.length * T);
  ids.forEach((r, b) => flat.set(r, b * T));
  return { tokens: tf.tensor2d(flat, [ids.length, T], 'int32'), lengths: ids.map((r) => r.length) };
}

/** A user's caption, encoded for sampling. */
export interface EncodedCaption {
  text: string;
  ids: number[];
  /** The words fed to the model, in order. */
  words: string[];
  /** Out-of-vocabulary words that were dropped. */
  unknown: string[];
  /** Words beyond the limit that were cut off. */
  cut: string[];
}

/**
 * Tokenise like training, drop unknown words (reported by name), and keep the first `wordsNum`
 * words (the rest reported in `cut`). An empty caption or one with no known word is an `AttncError`.
 */
export function encodeCaption(text: string, vocab: Vocabulary, wordsNum: number): EncodedCaption {
  const tokens = tokenize(text);
  if (tokens.length === 0) {
    throw new AttncError('ATTNC_SAMPLE_CAPTION', `caption ${JSON.stringify(text)} has no words`, { hint: 'write a sentence, e.g. "this bird has red wings and a white belly"' });
  }
  const { ids, unknown } = vocab.encode(tokens);
  if (ids.length === 0) {
    throw new AttncError('ATTNC_SAMPLE_CAPTION', `caption ${JSON.stringify(text)} has no word the model knows (unknown: ${unknown.join(', ')})`, {
      hint: `the vocabulary has ${vocab.size - 1} words from the training captions`,
    });
  }
  const kept = ids.slice(0, wordsNum);
  return { text, ids: kept, words: vocab.decode(kept), unknown, cut: vocab.decode(ids.slice(wordsNum)) };
}

/** Read back every tensor of a sample batch and dispose it. */
export function readSample(out: SampleOutputs): { images: Array<{ values: Float32Array; shape: number[] }>; attn: Array<{ values: Float32Array; shape: number[] }> } {
  const read = (t: tf.Tensor) => ({ values: t.dataSync() as Float32Array, shape: [...t.shape] });
  const r = { images: out.images.map(read), attn: out.attn.map(read) };
  tf.dispose([...out.images, ...out.attn]);
  return r;
}
