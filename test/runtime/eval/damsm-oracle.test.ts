import { describe, expect, it } from 'vitest';
import { oracleHits } from '../../../runtime/eval/damsm-oracle.js';

const CARD = { wing: 9, belly: 9, beak: 3 };

describe('oracleHits', () => {
  it('is a sure hit when no other caption fits the image', () => {
    const truth = [{ wing: 'red', belly: 'blue', beak: 'long' }, { wing: 'green', belly: 'blue', beak: 'short' }];
    const stated = [{ wing: 'red' }, { wing: 'green' }];
    expect(oracleHits(truth, stated, CARD)).toEqual([1, 1]);
  });

  it('shares the hit among captions that fit equally well', () => {
    // both images have red wings; both captions say only "red wings": each image ties 1:1.
    const truth = [{ wing: 'red', belly: 'blue', beak: 'long' }, { wing: 'red', belly: 'white', beak: 'short' }];
    const stated = [{ wing: 'red' }, { wing: 'red' }];
    expect(oracleHits(truth, stated, CARD)).toEqual([0.5, 0.5]);
  });

  it('prefers the more specific fitting caption: a vaguer own caption loses to it', () => {
    const truth = [{ wing: 'red', belly: 'blue', beak: 'long' }, { wing: 'red', belly: 'blue', beak: 'short' }];
    // image 0's own caption names the beak (log 3); image 1's caption names wing and belly (log 81) and fits image 0 too.
    const stated: Array<Record<string, string>> = [{ beak: 'long' }, { wing: 'red', belly: 'blue' }];
    expect(oracleHits(truth, stated, CARD)).toEqual([0, 1]);
  });

  it('refuses mismatched lengths and unknown attributes', () => {
    expect(() => oracleHits([{}], [], CARD)).toThrow(RangeError);
    expect(() => oracleHits([{ crown: 'red' }], [{ crown: 'red' }], CARD)).toThrow(RangeError);
  });
});
