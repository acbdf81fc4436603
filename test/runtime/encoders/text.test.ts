import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { RnnTextEncoder, rnnOptions } from '../../../runtime/encoders/text.js';
import { loadTorchState, maxAbsDiff, readTorchFixture, type Arr } from './torch-fixture.js';
import { itNative } from '../../native.js';

interface Fixture {
  kind: 'lstm' | 'gru';
  vocab: number;
  embeddingDim: number;
  hidden: number;
  T: number;
  tokens: number[][];
  lengths: number[];
  weights: Record<string, Arr>;
  words: Arr;
  sentence: Arr;
}

const encoders: RnnTextEncoder[] = [];
afterAll(() => encoders.forEach((e) => e.dispose()));

function fromFixture(fx: Fixture): RnnTextEncoder {
  const enc = new RnnTextEncoder({ vocabSize: fx.vocab, embeddingDim: fx.embeddingDim, hiddenPerDirection: fx.hidden, rnn: fx.kind });
  loadTorchState(enc, fx.weights);
  encoders.push(enc);
  return enc;
}

const variants = [
  { kind: 'lstm', fused: true },
  { kind: 'lstm', fused: false },
  { kind: 'gru', fused: false },
] as const;

for (const { kind, fused } of variants) {
  describe(`RnnTextEncoder (${kind}${kind === 'lstm' ? (fused ? ', BlockLSTMV2' : ', per-step ops') : ''}) against PyTorch pack_padded_sequence`, () => {
    const fx = readTorchFixture<Fixture>(`text_encoder_${kind}.json`);
    const enc = fromFixture(fx);
    beforeEach(() => {
      rnnOptions.fusedLstm = fused;
    });
    afterEach(() => {
      rnnOptions.fusedLstm = true;
    });

    it('matches words and sentence to 1e-5', () => {
      const before = tf.memory().numTensors;
      const tokens = tf.tensor2d(fx.tokens, undefined, 'int32');
      const out = enc.apply(tokens, fx.lengths, false);
      expect(out.words.shape).toEqual(fx.words.shape);
      expect(out.sentence.shape).toEqual(fx.sentence.shape);
      expect(maxAbsDiff(out.words.dataSync(), fx.words.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.sentence.dataSync(), fx.sentence.data)).toBeLessThan(1e-5);
      tf.dispose([tokens, out.words, out.sentence]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('is unchanged by extra padding, garbage at padded positions and other batch members', () => {
      const extra = 3;
      const T = fx.T + extra;
      const padded = fx.tokens.map((row, i) =>
        [...row, ...new Array<number>(extra).fill(0)].map((tok, k) => (k < fx.lengths[i]! ? tok : (k * 7 + i) % fx.vocab)),
      );
      const ref = tf.tidy(() => enc.apply(tf.tensor2d(fx.tokens, undefined, 'int32'), fx.lengths));
      const big = tf.tidy(() => enc.apply(tf.tensor2d(padded, undefined, 'int32'), tf.tensor1d(fx.lengths, 'int32')));
      const w = big.words.arraySync();
      const wr = ref.words.arraySync();
      w.forEach((row, i) =>
        row.forEach((vec, k) => {
          if (k < fx.T) expect(maxAbsDiff(vec, wr[i]![k]!)).toBeLessThan(1e-6);
          else expect(Math.max(...vec.map(Math.abs))).toBe(0);
        }),
      );
      expect(maxAbsDiff(big.sentence.dataSync(), ref.sentence.dataSync())).toBeLessThan(1e-6);
      // each caption alone, cut to its own length
      fx.tokens.forEach((row, i) => {
        const n = fx.lengths[i]!;
        const one = tf.tidy(() => enc.apply(tf.tensor2d([row.slice(0, n)], undefined, 'int32'), [n]));
        expect(maxAbsDiff(one.sentence.dataSync(), ref.sentence.arraySync()[i]!)).toBeLessThan(1e-6);
        expect(maxAbsDiff(one.words.dataSync(), wr[i]!.slice(0, n).flat())).toBeLessThan(1e-6);
        tf.dispose([one.words, one.sentence]);
      });
      tf.dispose([ref.words, ref.sentence, big.words, big.sentence]);
    });
  });
}

describe('RnnTextEncoder fused LSTM (BlockLSTMV2)', () => {
  itNative('runs each direction as one op, and equals the per-step ops where cells grow past any clip', () => {
    const enc = new RnnTextEncoder({ vocabSize: 50, embeddingDim: 12, hiddenPerDirection: 8 });
    encoders.push(enc);
    // Biases of 10 saturate every gate (i, f, o → 1, g → 1), so c grows by ~1 per step to ~10:
    // a cell clip (BlockLSTM's default is 3) would show.
    tf.tidy(() => {
      enc.rnn.fwd.bIh.assign(tf.fill([32], 10));
      enc.rnn.bwd.bIh.assign(tf.fill([32], 10));
    });
    const tokens = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 0, 0, 0, 0, 0, 0, 0], [14, 15, 16, 17, 18, 19, 0, 0, 0, 0]], undefined, 'int32');
    const lengths = [10, 3, 6];
    const backend = tf.backend() as unknown as { executeMultipleOutputs: (name: string, ...rest: unknown[]) => unknown };
    const spy = vi.spyOn(backend, 'executeMultipleOutputs');
    const a = enc.apply(tokens, lengths);
    const calls = spy.mock.calls.filter((c) => c[0] === 'BlockLSTMV2').length;
    spy.mockRestore();
    expect(calls).toBe(2);
    rnnOptions.fusedLstm = false;
    const b = enc.apply(tokens, lengths);
    rnnOptions.fusedLstm = true;
    expect(maxAbsDiff(a.words.dataSync(), b.words.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.sentence.dataSync(), b.sentence.dataSync())).toBeLessThan(1e-5);
    tf.dispose([tokens, a.words, a.sentence, b.words, b.sentence]);
  });
});

describe('RnnTextEncoder shape and training behaviour', () => {
  it('has the birds state_dict names and 2,075,320 parameters', () => {
    const enc = new RnnTextEncoder({ vocabSize: 5450 });
    try {
      expect(enc.namedParameterShapes()).toEqual([
        ['encoder.weight', [5450, 300]],
        ['rnn.weight_ih_l0', [300, 512]],
        ['rnn.weight_hh_l0', [128, 512]],
        ['rnn.bias_ih_l0', [512]],
        ['rnn.bias_hh_l0', [512]],
        ['rnn.weight_ih_l0_reverse', [300, 512]],
        ['rnn.weight_hh_l0_reverse', [128, 512]],
        ['rnn.bias_ih_l0_reverse', [512]],
        ['rnn.bias_hh_l0_reverse', [512]],
      ]);
      expect(enc.parameterCount()).toBe(2_075_320);
      expect(enc.outputDim).toBe(256);
      const w = enc.encoder.weight.dataSync();
      expect(Math.max(...w.slice(0, 3000).map(Math.abs))).toBeLessThanOrEqual(0.1);
    } finally {
      enc.dispose();
    }
  });

  it('applies dropout only when training', () => {
    const enc = new RnnTextEncoder({ vocabSize: 11, embeddingDim: 6, hiddenPerDirection: 3 });
    encoders.push(enc);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const tokens = tf.tensor2d([[1, 2, 3], [4, 5, 0]], undefined, 'int32');
      const a = enc.apply(tokens, [3, 2]).sentence.dataSync();
      const b = enc.apply(tokens, [3, 2], false).sentence.dataSync();
      const c = enc.apply(tokens, [3, 2], true, 1).sentence.dataSync();
      expect(maxAbsDiff(a, b)).toBe(0);
      expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('RnnTextEncoder sentence feature', () => {
  it("`mean` is the mean of the word features over each caption's real words; `last` the final states", () => {
    const last = new RnnTextEncoder({ vocabSize: 9, embeddingDim: 5, hiddenPerDirection: 3, dropout: 0 });
    const mean = new RnnTextEncoder({ vocabSize: 9, embeddingDim: 5, hiddenPerDirection: 3, dropout: 0, sentence: 'mean' });
    try {
      for (const [n, v] of mean.stateDict()) v.assign(last.stateDict().find(([m]) => m === n)![1]);
      const tokens = tf.tensor2d([[1, 2, 3, 4], [5, 6, 0, 0]], [2, 4], 'int32');
      const before = tf.memory().numTensors;
      const a = last.apply(tokens, [4, 2]);
      const b = mean.apply(tokens, [4, 2]);
      expect(Array.from(b.words.dataSync())).toEqual(Array.from(a.words.dataSync()));
      const w = a.words.arraySync();
      const s = b.sentence.arraySync();
      [4, 2].forEach((len, i) => {
        for (let d = 0; d < 6; d++) {
          let sum = 0;
          for (let t = 0; t < len; t++) sum += w[i]![t]![d]!;
          expect(s[i]![d]).toBeCloseTo(sum / len, 6);
        }
      });
      expect(Array.from(b.sentence.dataSync())).not.toEqual(Array.from(a.sentence.dataSync()));
      tf.dispose([a.words, a.sentence, b.words, b.sentence]);
      expect(tf.memory().numTensors).toBe(before);
      tokens.dispose();
    } finally {
      last.dispose();
      mean.dispose();
    }
  });
});

