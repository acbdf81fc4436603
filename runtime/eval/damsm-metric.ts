import * as tf from '@tensorflow/tfjs';
import { disposeBatch, type Dataset } from '../data/dataset.js';
import { parseCaption } from '../data/synthbirds/captions.js';
import type { Vocabulary } from '../data/vocab.js';
import type { ModelNetworks } from '../model/contract.js';
import { hash32 } from '../util/rng.js';
import { HEADS } from './attribute-classifier.js';
import { oracleHits, type Attributes } from './damsm-oracle.js';
import { inShard, type Shard } from './shard.js';

/**
 * DAMSM R@1 as training measures it, on real pictures: within batches of the DAMSM batch size,
 * does each image's global feature rank its own caption first among the batch's captions? On the
 * synthetic birds the same batches also give the ceiling (runtime/eval/damsm-oracle.ts): captions
 * name only some attributes, so even a perfect reader ties.
 */
export interface DamsmSums {
  hits: number;
  /** Σ the oracle's expected hits (synthetic birds only; 0 elsewhere). */
  oracle: number;
  captions: number;
  batches: number;
}

export function emptyDamsmSums(): DamsmSums {
  return { hits: 0, oracle: 0, captions: 0, batches: 0 };
}

export function mergeDamsmSums(a: DamsmSums, b: DamsmSums): DamsmSums {
  return { hits: a.hits + b.hits, oracle: a.oracle + b.oracle, captions: a.captions + b.captions, batches: a.batches + b.batches };
}

/** Passes over the split so that at least this many captions are ranked (small splits). */
export const DAMSM_MIN_CAPTIONS = 1000;

export function damsmPasses(splitSize: number, batchSize: number): number {
  const perPass = Math.floor(splitSize / batchSize) * batchSize;
  return perPass === 0 ? 0 : Math.max(1, Math.ceil(DAMSM_MIN_CAPTIONS / perPass));
}

const CARDINALITY: Record<string, number> = Object.fromEntries(HEADS.map((h) => [h.name, h.values.length]));

/**
 * Every full batch of `passes` seeded shuffles of the split; batch j (counted over all passes) is
 * in shard j mod n. `truth` (image key → attributes) turns on the oracle.
 */
export async function damsmRecall(
  enc: Pick<ModelNetworks, 'textEncoder' | 'imageEncoder'>,
  ds: Dataset,
  opts: { batchSize: number; passes: number; seed: number; shard: Shard; vocab: Vocabulary; truth?: Map<string, Attributes> },
): Promise<DamsmSums> {
  const sums = emptyDamsmSums();
  let j = 0;
  for (let pass = 0; pass < opts.passes; pass++) {
    for await (const b of ds.batches({ batchSize: opts.batchSize, seed: hash32(opts.seed, 0xda35, pass), shuffle: true, dropLast: true, prefetch: 0 })) {
      try {
        if (!inShard(j++, opts.shard)) continue;
        const n = b.lengths.length;
        sums.hits += tf.tidy(() => {
          const { global } = enc.imageEncoder.apply(b.images.at(-1)!, false);
          const { sentence } = enc.textEncoder.apply(b.captions, b.lengths, false);
          const img = tf.div(global, tf.add(tf.norm(global, 2, 1, true), 1e-8));
          const txt = tf.div(sentence, tf.add(tf.norm(sentence, 2, 1, true), 1e-8));
          const best = tf.argMax(tf.matMul(img, txt, false, true), 1);
          return tf.sum(tf.cast(tf.equal(best, tf.range(0, n, 1, 'int32')), 'int32')).dataSync()[0]!;
        });
        if (opts.truth) {
          const ids = b.captions.arraySync() as number[][];
          const stated = ids.map((row, i) => parseCaption(opts.vocab.decode(row.slice(0, b.lengths[i])).join(' ')).attributes as Attributes);
          const truth = b.keys.map((k) => opts.truth!.get(k)!);
          sums.oracle += oracleHits(truth, stated, CARDINALITY).reduce((s, h) => s + h, 0);
        }
        sums.captions += n;
        sums.batches++;
      } finally {
        disposeBatch(b);
      }
    }
  }
  return sums;
}
