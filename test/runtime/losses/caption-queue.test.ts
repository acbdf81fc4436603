import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CaptionQueue } from '../../../runtime/losses/caption-queue.js';

/** A batch of `b` captions whose every feature is its label, words zero past each length. */
function batch(labels: number[], lengths: number[], t: number, d = 2) {
  const words = tf.tensor3d(labels.flatMap((l, i) => Array.from({ length: t }, (_, k) => new Array<number>(d).fill(k < lengths[i]! ? l : 0))).flat(), [labels.length, t, d]);
  const sentence = tf.tensor2d(labels.flatMap((l) => new Array<number>(d).fill(l)), [labels.length, d]);
  return { words, sentence };
}

describe('CaptionQueue', () => {
  it('widens a batch with the newest earlier captions first, pads words, drops the oldest beyond capacity', () => {
    const before = tf.memory().numTensors;
    const q = new CaptionQueue(3);
    const a = batch([1, 2], [2, 1], 2);
    const empty = q.widen(a, [2, 1], [10, 20]);
    expect(empty.words).toBe(a.words); // nothing queued: the batch itself
    q.push(a, [2, 1], [10, 20]);
    tf.dispose([a.words, a.sentence]); // the queue keeps its own copies
    const b = batch([3, 4], [3, 3], 3);
    q.push(b, [3, 3], [30, 40]);
    tf.dispose([b.words, b.sentence]);
    expect(q.size).toBe(3); // 3, 4, 1: caption 2 dropped

    const c = batch([5], [1], 1);
    const w = q.widen(c, [1], [50]);
    const wide = { ...w, words: w.words.arraySync(), sentence: w.sentence.arraySync() };
    tf.dispose([w.words, w.sentence]);
    expect(wide.lengths).toEqual([1, 3, 3, 2]);
    expect(wide.classIds).toEqual([50, 30, 40, 10]);
    expect(wide.sentence.map((r) => r[0])).toEqual([5, 3, 4, 1]);
    // Words padded to T = 3 with zeros; each caption's own words kept.
    expect(wide.words.map((cap) => cap.map((w) => w[0]))).toEqual([[5, 0, 0], [3, 3, 3], [4, 4, 4], [1, 1, 0]]);
    tf.dispose([c.words, c.sentence]);
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps no class ids once a batch came without them, and trims padding no kept caption needs', () => {
    const q = new CaptionQueue(2);
    const a = batch([1, 2], [4, 4], 4);
    q.push(a, [4, 4], null);
    const b = batch([3, 4], [1, 2], 2);
    q.push(b, [1, 2], [3, 4]);
    const s = q.exportState()!;
    expect(s.classIds).toBeNull();
    expect(s.words.shape).toEqual([2, 2, 2]); // the length-4 captions are gone, and their padding with them
    const w = q.widen(b, [1, 2], [3, 4]);
    expect(w.classIds).toBeNull();
    tf.dispose([a.words, a.sentence, b.words, b.sentence, s.words, s.sentence, w.words, w.sentence]);
    q.dispose();
  });

  it('exports and imports its state exactly', () => {
    const q = new CaptionQueue(4);
    const a = batch([7, 8, 9], [1, 2, 3], 3);
    q.push(a, [1, 2, 3], [1, 2, 3]);
    const saved = q.exportState()!;
    const r = new CaptionQueue(4);
    r.importState(saved);
    const wx = q.widen(a, [1, 2, 3], [1, 2, 3]);
    const wy = r.widen(a, [1, 2, 3], [1, 2, 3]);
    expect(wy.words.arraySync()).toEqual(wx.words.arraySync());
    expect(wy.sentence.arraySync()).toEqual(wx.sentence.arraySync());
    tf.dispose([wx.words, wx.sentence, wy.words, wy.sentence]);
    const again = r.exportState()!;
    expect(() => new CaptionQueue(2).importState(again)).toThrow(/does not fit/);
    tf.dispose([a.words, a.sentence, again.words, again.sentence]);
    q.dispose();
    r.dispose();
  });
});
