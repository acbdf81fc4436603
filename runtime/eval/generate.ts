import * as tf from '@tensorflow/tfjs';
import { tokenize } from '../data/tokenizer.js';
import type { Vocabulary } from '../data/vocab.js';
import type { SampleOutputs } from '../model/contract.js';
import { AttncError } from '../util/errors.js';

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
