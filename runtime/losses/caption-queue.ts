import * as tf from '@tensorflow/tfjs';

/**
 * The captions of the last GAN batches, kept as extra negatives for G's DAMSM term
 * (`negative_queue` in the spec). Within a batch of 16 a generated image only has to match its
 * caption better than 15 others, which wing colour and scene already tell apart; among 16 + N the
 * captions that agree with it on those and differ on the belly or crown are many more, and the term
 * asks for the small parts too. In the GAN phase the text encoder is frozen, so an earlier batch's
 * word and sentence features are exactly what encoding its captions again would give.
 *
 * Newest first, at most `capacity` captions; words are zero-padded to the longest kept caption.
 * Owns its tensors (kept out of every tidy scope); `dispose` frees them.
 */
export class CaptionQueue {
  private words: tf.Tensor3D | null = null;
  private sentence: tf.Tensor2D | null = null;
  private lens: number[] = [];
  private ids: number[] | null = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`CaptionQueue capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.lens.length;
  }

  /**
   * This batch's captions followed by the queued ones: words [B + N, T', D], sentence [B + N, D],
   * their lengths and class ids (null when either side has none: no class masking). New tensors that
   * the caller's tidy owns; with an empty queue, the inputs themselves.
   */
  widen(
    captions: { words: tf.Tensor3D; sentence: tf.Tensor2D },
    lengths: readonly number[],
    classIds: readonly number[] | Int32Array | null,
  ): { words: tf.Tensor3D; sentence: tf.Tensor2D; lengths: number[]; classIds: number[] | null } {
    if (!this.words || !this.sentence) return { words: captions.words, sentence: captions.sentence, lengths: [...lengths], classIds: classIds ? Array.from(classIds) : null };
    return { ...tf.tidy(() => this.stack(captions)), ...this.stackLabels(lengths, classIds) };
  }

  /** Puts this batch's captions in front (copies; the caller keeps its own), dropping the oldest beyond capacity. */
  push(captions: { words: tf.Tensor3D; sentence: tf.Tensor2D }, lengths: readonly number[], classIds: readonly number[] | Int32Array | null): void {
    const [b, , d] = captions.words.shape;
    if (lengths.length !== b || captions.sentence.shape[0] !== b) throw new Error(`CaptionQueue.push: ${lengths.length} lengths for ${b} captions`);
    if (this.sentence && this.sentence.shape[1] !== d) throw new Error(`CaptionQueue.push: features of size ${d}, the queue holds ${this.sentence.shape[1]}`);
    const n = Math.min(this.capacity, b + this.size);
    const labels = this.stackLabels(lengths, classIds);
    const lens = labels.lengths.slice(0, n);
    const next = tf.tidy(() => {
      const { words, sentence } = this.stack(captions);
      // Trim the padding no kept caption needs, so T does not grow with the queue's history.
      const t = Math.max(...lens);
      return { words: tf.slice(words, [0, 0, 0], [n, t, d]) as tf.Tensor3D, sentence: tf.slice(sentence, [0, 0], [n, d]) as tf.Tensor2D };
    });
    this.words?.dispose();
    this.sentence?.dispose();
    // Kept: a push from inside a tidy scope must not lose the queue when the scope ends.
    this.words = tf.keep(next.words);
    this.sentence = tf.keep(next.sentence);
    this.ids = labels.classIds?.slice(0, n) ?? null;
    this.lens = lens;
  }

  /** This batch's features, then the queued ones (words padded to one T); the caller's tidy owns them. */
  private stack(captions: { words: tf.Tensor3D; sentence: tf.Tensor2D }): { words: tf.Tensor3D; sentence: tf.Tensor2D } {
    if (!this.words || !this.sentence) return { words: captions.words, sentence: captions.sentence };
    return {
      words: tf.concat(padWords([captions.words, this.words])) as tf.Tensor3D,
      sentence: tf.concat([captions.sentence, this.sentence]) as tf.Tensor2D,
    };
  }

  /** Lengths and class ids in the same order as `stack` (no class ids when either side has none). */
  private stackLabels(lengths: readonly number[], classIds: readonly number[] | Int32Array | null): { lengths: number[]; classIds: number[] | null } {
    return { lengths: [...lengths, ...this.lens], classIds: classIds && this.ids ? [...Array.from(classIds), ...this.ids] : null };
  }

  /** The queue as plain data, for checkpoints (the features themselves: a resumed run continues bit for bit). */
  exportState(): QueueState | null {
    if (!this.words || !this.sentence) return null;
    return {
      words: this.words.clone(),
      sentence: this.sentence.clone(),
      lengths: [...this.lens],
      classIds: this.ids ? [...this.ids] : null,
    };
  }

  /** Replaces the contents with a saved state (takes ownership of its tensors); refuses one that is not a queue's. */
  importState(s: QueueState): void {
    const n = s.lengths.length;
    const [rows, t, d] = s.words.shape;
    if (rows !== n || s.sentence.shape[0] !== n || s.sentence.shape[1] !== d || (s.classIds && s.classIds.length !== n) || s.lengths.some((l) => !(l >= 1 && l <= t))) {
      throw new Error(`words ${s.words.shape}, sentence ${s.sentence.shape}, ${n} lengths (1..${t})${s.classIds ? ` and ${s.classIds.length} class ids` : ''} disagree`);
    }
    if (n > this.capacity) throw new Error(`a saved queue of ${n} captions does not fit a queue of ${this.capacity}`);
    this.dispose();
    this.words = tf.keep(s.words);
    this.sentence = tf.keep(s.sentence);
    this.lens = [...s.lengths];
    this.ids = s.classIds ? [...s.classIds] : null;
  }

  dispose(): void {
    this.words?.dispose();
    this.sentence?.dispose();
    this.words = null;
    this.sentence = null;
    this.lens = [];
    this.ids = [];
  }
}

export interface QueueState {
  words: tf.Tensor3D;
  sentence: tf.Tensor2D;
  lengths: number[];
  classIds: number[] | null;
}

/** Zero-pads word tensors [n, T, D] to the longest T among them. */
function padWords(ws: readonly tf.Tensor3D[]): tf.Tensor3D[] {
  const t = Math.max(...ws.map((w) => w.shape[1]));
  return ws.map((w) => (w.shape[1] === t ? w : tf.pad(w, [[0, 0], [0, t - w.shape[1]], [0, 0]])));
}
