import * as tf from '@tensorflow/tfjs';
import { Module, type InitRole } from '../nn/module.js';
import { lengthsArray, wordMask, type Lengths } from '../losses/damsm.js';

/**
 * AttnGAN's text encoder `RNN_ENCODER` (reference §3): embedding → dropout (training only) →
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

export interface TextEncoderOptions {
  vocabSize: number;
  /** Word-embedding size; 300 in AttnGAN. */
  embeddingDim?: number;
  /** Hidden units per direction; 128 (= EMBEDDING_DIM 256 / 2). */
  hiddenPerDirection?: number;
  rnn?: RnnKind;
  /** Dropout on the embeddings while training; 0.5. */
  dropout?: number;
}

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
      wIh: this.addParam(`weight_ih_l0${suffix}`, [inputSize, g], init),
      wHh: this.addParam(`weight_hh_l0${suffix}`, [hidden, g], init),
      bIh: this.addParam(`bias_ih_l0${suffix}`, [g], init),
      bHh: this.addParam(`bias_hh_l0${suffix}`, [g], init),
    });
    this.fwd = dir('');
    this.bwd = dir('_reverse');
  }

  /** x [B,T,E], mask [B,T] (1 = real) → outputs [B,T,h] (0 at padding) and the final state [B,h]. */
  run(x: tf.Tensor3D, mask: tf.Tensor2D, d: Direction, reverse: boolean): { out: tf.Tensor3D; last: tf.Tensor2D } {
    const [b, t, e] = x.shape;
    const h = this.hidden;
    const xProj = tf.unstack(
      tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, e]), d.wIh), d.bIh), [b, t, -1]),
      1,
    ) as tf.Tensor2D[];
    const masks = tf.unstack(tf.reshape(mask, [b, t, 1]), 1) as tf.Tensor2D[];
    let hState: tf.Tensor2D = tf.zeros([b, h]);
    let cState: tf.Tensor2D = tf.zeros([b, h]);
    const outs: tf.Tensor2D[] = new Array(t);
    for (let s = 0; s < t; s++) {
      const step = reverse ? t - 1 - s : s;
      const m = masks[step]!;
      const keep = tf.sub(1, m);
      const hh = tf.add(tf.matMul(hState, d.wHh), d.bHh);
      let hNew: tf.Tensor2D;
      if (this.kind === 'lstm') {
        const [gi, gf, gg, go] = tf.split(tf.add(xProj[step]!, hh), 4, 1) as tf.Tensor2D[];
        const cNew = tf.add(tf.mul(tf.sigmoid(gf!), cState), tf.mul(tf.sigmoid(gi!), tf.tanh(gg!)));
        hNew = tf.mul(tf.sigmoid(go!), tf.tanh(cNew));
        cState = tf.add(tf.mul(m, cNew), tf.mul(keep, cState));
      } else {
        const [xr, xz, xn] = tf.split(xProj[step]!, 3, 1) as tf.Tensor2D[];
        const [hr, hz, hn] = tf.split(hh, 3, 1) as tf.Tensor2D[];
        const r = tf.sigmoid(tf.add(xr!, hr!));
        const z = tf.sigmoid(tf.add(xz!, hz!));
        const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
        hNew = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, hState));
      }
      hState = tf.add(tf.mul(m, hNew), tf.mul(keep, hState));
      outs[step] = tf.mul(m, hNew);
    }
    return { out: tf.stack(outs, 1) as tf.Tensor3D, last: hState };
  }
}

export class TextEncoder extends Module {
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly hiddenPerDirection: number;
  readonly rnnKind: RnnKind;
  readonly dropout: number;
  readonly encoder: WordEmbedding;
  readonly rnn: BidirectionalRnn;

  constructor(opts: TextEncoderOptions) {
    super();
    this.vocabSize = opts.vocabSize;
    this.embeddingDim = opts.embeddingDim ?? 300;
    this.hiddenPerDirection = opts.hiddenPerDirection ?? 128;
    this.rnnKind = opts.rnn ?? 'lstm';
    this.dropout = opts.dropout ?? 0.5;
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
    if (lens.length !== b) throw new Error(`TextEncoder: ${lens.length} lengths for a batch of ${b}`);
    return tf.tidy(() => {
      const mask = wordMask(lens, t);
      let x = tf.gather(this.encoder.weight, tf.cast(tokens, 'int32')) as tf.Tensor3D;
      if (training && this.dropout > 0) x = tf.dropout(x, this.dropout, undefined, seed) as tf.Tensor3D;
      const f = this.rnn.run(x, mask, this.rnn.fwd, false);
      const r = this.rnn.run(x, mask, this.rnn.bwd, true);
      return {
        words: tf.concat([f.out, r.out], 2) as tf.Tensor3D,
        sentence: tf.concat([f.last, r.last], 1) as tf.Tensor2D,
      };
    });
  }
}
