import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { shuffledCaptions } from '../../../runtime/losses/shuffled-captions.js';

describe('shuffledCaptions', () => {
  it('permutes each caption\'s own words, keeps padding, repeats for a seed and never returns a caption unchanged', () => {
    const tokens = tf.tensor2d([[5, 6, 7, 8, 9, 0], [3, 3, 4, 0, 0, 0], [2, 0, 0, 0, 0, 0], [1, 2, 1, 2, 1, 2]], [4, 6], 'int32');
    const lengths = [5, 3, 1, 6];
    const before = tf.memory().numTensors;
    for (let seed = 0; seed < 50; seed++) {
      const s = shuffledCaptions(tokens, lengths, seed);
      const rows = s.arraySync() as number[][];
      const orig = tokens.arraySync() as number[][];
      rows.forEach((row, i) => {
        const n = lengths[i]!;
        expect([...row.slice(0, n)].sort()).toEqual([...orig[i]!.slice(0, n)].sort()); // the same words
        expect(row.slice(n).every((x) => x === 0)).toBe(true); // padding stays padding
        if (new Set(orig[i]!.slice(0, n)).size > 1) expect(row.slice(0, n)).not.toEqual(orig[i]!.slice(0, n));
      });
      const again = shuffledCaptions(tokens, lengths, seed);
      expect(again.arraySync()).toEqual(rows);
      tf.dispose([s, again]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tokens.dispose();
  });
});
