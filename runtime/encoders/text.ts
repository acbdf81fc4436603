import * as tf from '@tensorflow/tfjs';
import { Module, type InitRole } from '../nn/module.js';
import { lengthsArray, wordMask, type Lengths } from '../nn/sequence.js';
import { isTaping } from '../backend/tfjs-internals.js';
import { nativeLstmSequence, nativeReverseSequence } from '../backend/native-registry.js';

/**
 * AttnGAN's text encoder `RNN_ENCODER` (docs/original.md §2): embedding → dropout (training only) →
 * single-layer bidirectional LSTM (or GRU) over a padded batch with true lengths, from a zero state.
 *
 * The recurrence is written out per timestep (no tfjs layers), so it is PyTorch's math exactly:
 * logistic sigmoid gates (not tfjs's hard sigmoid), two biases, packed-sequence semantics. At a
 * padding position the state is carried unchanged and the output is 0, so the forward direction's
 * final state is the one after the last real token, and the backward direction starts from zero
 * at the last real token. Padding therefore never changes any output.
 *
 * Parameters (state_dict names of §12.4; `G` = 4 gates for LSTM (i, f, g, o), 3 for GRU (r, z, n),
 * gate blocks in PyTorch's order along the G·h axis):
 *
 * | ours                              | PyTorch                          | mapping        |
 * |-----------------------------------|----------------------------------|----------------|
 * | encoder.weight [V, E]             | encoder.weight [V, E]            | as is          |
 * | rnn.weight_ih_l0 [E, G·h]         | rnn.weight_ih_l0 [G·h, E]        | transpose(1,0) |
 * | rnn.weight_hh_l0 [h, G·h]         | rnn.weight_hh_l0 [G·h, h]        | transpose(1,0) |
 * | rnn.bias_ih_l0, bias_hh_l0 [G·h]  | same                             | as is          |
 * | rnn.*_reverse                     | rnn.*_reverse                    | as above       |
 *
 * Kernels are stored transposed (like `Linear`) so each step is `x·W` with no transpose.
 */

export type RnnKind = 'lstm' | 'gru';

/** `fusedLstm`: an LSTM run without gradient is TensorFlow's BlockLSTMV2 on the native backend. */
export const rnnOptions: { fusedLstm: boolean } = { fusedLstm: true };

export interface TextEncoderOptions {
  vocabSize: number;
  /** Word-embedding size; 300 in AttnGAN. */
  embeddingDim?: number;
  /** Hidden units per direction; 128 (= EMBEDDING_DIM 256 / 2). */
  hiddenPerDirection?: number;
  rnn?: RnnKind;
  /** Dropout on the embeddings while training; 0.5. */
  dropout?: number;
  /**
   * The sentence feature: `last` = the final states of both directions (the original), `mean` =
   * the mean of the word features over the real tokens (every word reaches it in one step, which a
   * contrastive loss learns from much faster than from two final states; docs/tuning.md).
   */
  sentence?: SentencePooling;
}

export type SentencePooling = 'last' | 'mean';

export type TextEncoderOutput = {
  /** [B, T, 2h]: per token [forward h_t ; backward h_t], zeros at padding. */
  words: tf.Tensor3D;
  /** [B, 2h]: [forward state after the last real token ; backward state after the first token]. */
  sentence: tf.Tensor2D;
};

/** `nn.Embedding` initialised U(−0.1, 0.1) as `RNN_ENCODER.init_weights`. */
class WordEmbedding extends Module {
  override readonly initRole: InitRole = 'embedding';
  readonly weight: tf.Variable;
  constructor(num: number, dim: number) {
    super();
    this.weight = this.addParam('weight', [num, dim], { kind: 'uniform', limit: 0.1 });
  }
}

interface Direction {
  wIh: tf.Variable;
  wHh: tf.Variable;
  bIh: tf.Variable;
  bHh: tf.Variable;
}

/** The `rnn` child: both directions' weights under PyTorch's names, PyTorch-default init U(±1/√h). */
class BidirectionalRnn extends Module {
  readonly fwd: Direction;
  readonly bwd: Direction;
  constructor(readonly kind: RnnKind, readonly inputSize: number, readonly hidden: number) {
    super();
    const g = (kind === 'lstm' ? 4 : 3) * hidden;
    const init = { kind: 'uniform' as const, limit: 1 / Math.sqrt(hidden) };
    const dir = (suffix: string): Direction => ({
      wIh: this.addParam(`weight_ih_l0${suffix}`, [inputSize, g], init, 'linear'),
      wHh: this.addParam(`weight_hh_l0${suffix}`, [hidden, g], init, 'linear'),
      bIh: this.addParam(`bias_ih_l0${suffix}`, [g], init),
      bHh: this.addParam(`bias_hh_l0${suffix}`, [g], init),
    });
    this.fwd = dir('');
    this.bwd = dir('_reverse');
  }

  /**
   * x [B,T,E], mask [B,T] (1 = real) → per-token outputs of both directions [B,T,2h] (0 at padding)
   * and their final states [B,2h]. The two directions run in lockstep as one batch of 2: step s
   * is time s forwards and time T−1−s backwards, so each step is one batched matMul.
   */
  run(x: tf.Tensor3D, mask: tf.Tensor2D, lengths: readonly number[]): { out: tf.Tensor3D; last: tf.Tensor2D } {
    if (this.kind === 'lstm' && rnnOptions.fusedLstm && !isTaping()) {
      const fused = this.runFused(x, mask, lengths);
      if (fused) return fused;
    }
    const [b, t, e] = x.shape;
    const h = this.hidden;
    const xFlat = tf.reshape(x, [b * t, e]);
    const proj = (d: Direction) => tf.reshape(tf.add(tf.matMul(xFlat, d.wIh), d.bIh), [b, t, -1]);
    // [2, B, T, G] → T steps of [2, B, G], the backward direction time-reversed
    const xs = tf.unstack(tf.stack([proj(this.fwd), tf.reverse(proj(this.bwd), 1)]), 2) as tf.Tensor3D[];
    const m3 = tf.reshape(mask, [b, t, 1]);
    const ms = tf.unstack(tf.stack([m3, tf.reverse(m3, 1)]), 2) as tf.Tensor3D[];
    const wHh = tf.stack([this.fwd.wHh, this.bwd.wHh]) as tf.Tensor3D; // [2, h, G]
    const bHh = tf.reshape(tf.stack([this.fwd.bHh, this.bwd.bHh]), [2, 1, -1]);
    let hState: tf.Tensor3D = tf.zeros([2, b, h]);
    let cState: tf.Tensor3D = tf.zeros([2, b, h]);
    const outs: tf.Tensor3D[] = [];
    for (let s = 0; s < t; s++) {
      const m = ms[s]!;
      const keep = tf.sub(1, m);
      const hh = tf.add(tf.matMul(hState, wHh), bHh);
      let hNew: tf.Tensor3D;
      if (this.kind === 'lstm') {
        const [gi, gf, gg, go] = tf.split(tf.add(xs[s]!, hh), 4, 2) as tf.Tensor3D[];
        const cNew = tf.add(tf.mul(tf.sigmoid(gf!), cState), tf.mul(tf.sigmoid(gi!), tf.tanh(gg!)));
        hNew = tf.mul(tf.sigmoid(go!), tf.tanh(cNew));
        cState = tf.add(tf.mul(m, cNew), tf.mul(keep, cState));
      } else {
        const [xr, xz, xn] = tf.split(xs[s]!, 3, 2) as tf.Tensor3D[];
        const [hr, hz, hn] = tf.split(hh, 3, 2) as tf.Tensor3D[];
        const r = tf.sigmoid(tf.add(xr!, hr!));
        const z = tf.sigmoid(tf.add(xz!, hz!));
        const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
        hNew = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, hState));
      }
      hState = tf.add(tf.mul(m, hNew), tf.mul(keep, hState));
      outs.push(tf.mul(m, hNew));
    }
    const [fwdOut, bwdRev] = tf.unstack(tf.stack(outs, 2)) as [tf.Tensor3D, tf.Tensor3D]; // each [B, T, h]
    const [fwdLast, bwdLast] = tf.unstack(hState) as [tf.Tensor2D, tf.Tensor2D];
    return {
      out: tf.concat([fwdOut, tf.reverse(bwdRev, 1)], 2) as tf.Tensor3D,
      last: tf.concat([fwdLast, bwdLast], 1) as tf.Tensor2D,
    };
  }

  /**
   * The same outputs with each direction as one TensorFlow `BlockLSTMV2` over the whole sequence
   * (sampling, evaluation and the GAN phase's frozen encoder: no gradient). Padding: the forward
   * direction runs on past each caption's end and those steps are masked, its final state read at
   * the last real token; the backward direction runs on each caption reversed in place
   * (`ReverseSequence`), so it starts at the last real token, as a packed sequence does.
   * Null off the native backend.
   */
  private runFused(x: tf.Tensor3D, mask: tf.Tensor2D, lengths: readonly number[]): { out: tf.Tensor3D; last: tf.Tensor2D } | null {
    const [b] = x.shape;
    const lens = tf.tensor1d(lengths as number[], 'int32');
    const kernel = (d: Direction) => tf.concat([d.wIh, d.wHh], 0) as tf.Tensor2D;
    const xt = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D; // [T, B, E]
    const fwd = nativeLstmSequence(xt, kernel(this.fwd), tf.add(this.fwd.bIh, this.fwd.bHh));
    const xRev = nativeReverseSequence(xt, lens, 0, 1);
    const bwdRev = xRev && nativeLstmSequence(xRev, kernel(this.bwd), tf.add(this.bwd.bIh, this.bwd.bHh));
    const bwd = bwdRev && nativeReverseSequence(bwdRev, lens, 0, 1);
    if (!fwd || !bwdRev || !bwd) return null;
    const last = tf.tensor2d(lengths.flatMap((l, i) => [l - 1, i]), [b, 2], 'int32'); // [time, batch] of each last token
    const out = tf.mul(tf.transpose(tf.concat([fwd, bwd], 2), [1, 0, 2]), tf.expandDims(mask, 2)) as tf.Tensor3D;
    return { out, last: tf.concat([tf.gatherND(fwd, last), tf.gatherND(bwdRev, last)], 1) as tf.Tensor2D };
  }
}

export class RnnTextEncoder extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenPerDirection: number;
  readonly rnnKind: RnnKind;
  readonly dropout: number;
  readonly sentencePooling: SentencePooling;
  readonly encoder: WordEmbedding;
  readonly rnn: BidirectionalRnn;

  constructor(opts: TextEncoderOptions) {
    super();
    this.vocabSize = opts.vocabSize;
    this.embeddingDim = opts.embeddingDim ?? 300;
    this.hiddenPerDirection = opts.hiddenPerDirection ?? 128;
    this.rnnKind = opts.rnn ?? 'lstm';
    this.dropout = opts.dropout ?? 0.5;
    this.sentencePooling = opts.sentence ?? 'last';
    this.encoder = this.addModule('encoder', new WordEmbedding(this.vocabSize, this.embeddingDim));
    this.rnn = this.addModule('rnn', new BidirectionalRnn(this.rnnKind, this.embeddingDim, this.hiddenPerDirection));
  }

  /** Size of the word and sentence features: 2·hiddenPerDirection. */
  get outputDim(): number {
    return 2 * this.hiddenPerDirection;
  }

  /**
   * tokens int [B, T] (0 pads), lengths [B] true lengths in 1..T (any order).
   * `training` turns on the embedding dropout; `seed` makes its mask reproducible.
   */
  apply(tokens: tf.Tensor2D, lengths: Lengths, training = false, seed?: number): TextEncoderOutput {
    const lens = lengthsArray(lengths);
    const [b, t] = tokens.shape;
    if (lens.length !== b) throw new Error(`RnnTextEncoder: ${lens.length} lengths for a batch of ${b}`);
    return tf.tidy(() => {
      const mask = wordMask(lens, t);
      let x = tf.gather(this.encoder.weight, tf.cast(tokens, 'int32')) as tf.Tensor3D;
      if (training && this.dropout > 0) x = tf.dropout(x, this.dropout, undefined, seed) as tf.Tensor3D;
      const { out, last } = this.rnn.run(x, mask, lens);
      if (this.sentencePooling === 'last') return { words: out, sentence: last };
      // Word features are 0 at padding, so the sum runs over the real tokens only.
      const mean = tf.div(tf.sum(out, 1), tf.reshape(tf.tensor1d(lens, 'float32'), [b, 1])) as tf.Tensor2D;
      return { words: out, sentence: mean };
    });
  }
}
