/**
 * DAMSM pretraining of the text and image encoders (the original's pretrain_DAMSM.py): the spec's
 * optimizer (re-created every epoch with the decayed learning rate when the spec says so, as the
 * original does), one `damsm.step` per batch, and held-out R@1 at the end of every epoch, whose
 * best value is kept as the `best-damsm` checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeBatch, type Batch } from '../../data/dataset.js';
import { stepSeed } from '../../model/noise.js';
import type { GanOptimizers, ModelNetworks } from '../../model/contract.js';
import type { Adam } from '../../optim/step.js';
import { hash32 } from '../../util/rng.js';
import type { ActivePhase, PhaseContext, PhaseDefinition, StepLosses } from '../phase.js';

/** Test batches R@1 is measured on (at the DAMSM batch size: chance is 1 / batch size). */
export const DAMSM_EVAL_BATCHES = 8;

export const damsmPhase: PhaseDefinition = {
  id: 'damsm',
  title: 'DAMSM pretraining',
  plan: (p) => p.phases.damsm,
  trains: (network) => network === 'text_encoder' || network === 'image_encoder',
  monitor: { metric: 'damsm_r1', checkpoint: 'best-damsm' },
  start: (ctx) => new DamsmPhase(ctx),
};

class DamsmPhase<M extends ModelNetworks, O extends GanOptimizers> implements ActivePhase {
  readonly freshOptimizersEachEpoch: boolean;
  readonly ema = null;
  readonly partGrid: number | undefined;
  readonly wordParts: boolean;
  private optimizer: Adam | null = null;
  private rate = 0;

  constructor(private readonly ctx: PhaseContext<M, O>) {
    this.freshOptimizersEachEpoch = ctx.plan.phases.damsm.resetOptimizerEachEpoch;
    this.partGrid = ctx.plan.phases.damsm.partGrid;
    this.wordParts = ctx.plan.phases.damsm.wordParts ?? false;
  }

  get summary(): string {
    const p = this.ctx.plan.phases.damsm;
    const perEpoch = Math.floor(this.ctx.train.size / p.batchSize);
    return `DAMSM pretraining: ${p.epochs} epochs × ${perEpoch} steps, batch ${p.batchSize}, chance R@1 ${(1 / p.batchSize).toFixed(3)}`;
  }

  beginEpoch(epoch: number): void {
    this.rate = this.ctx.gen.damsm.learningRate(epoch);
    if (!this.optimizer || this.freshOptimizersEachEpoch) {
      this.optimizer?.dispose();
      this.optimizer = this.ctx.gen.damsm.createOptimizer(epoch);
    } else this.optimizer.lr = this.rate;
  }

  optimizers() {
    return this.optimizer ? [{ id: 'encoders', optimizer: this.optimizer }] : [];
  }

  lr(): number {
    return this.rate;
  }

  step(b: Batch, step: number): StepLosses {
    try {
      const losses = this.ctx.gen.damsm.step(this.ctx.model, this.optimizer!, { images: b.images.at(-1)!, tokens: b.captions, lengths: b.lengths, classIds: b.classIds, ...(b.parts ? { parts: b.parts } : {}), ...(b.wordParts ? { wordParts: b.wordParts } : {}) }, stepSeed(this.ctx.seed, step));
      return { encoders: losses };
    } finally {
      disposeBatch(b);
    }
  }

  async endEpoch(epoch: number): Promise<{ metrics: Record<string, number>; line: string }> {
    const p = this.ctx.plan.phases.damsm;
    const r1 = await this.r1(hash32(this.ctx.seed, 0xe7a1));
    const shown = Math.min(DAMSM_EVAL_BATCHES * p.batchSize, this.ctx.test.size);
    return { metrics: { damsm_r1: r1 }, line: `DAMSM epoch ${epoch + 1}/${p.epochs}: R@1 ${(r1 * 100).toFixed(1)} % on ${shown} test captions (lr ${this.rate.toPrecision(3)})` };
  }

  /** Image → caption R@1 within test batches of the DAMSM batch size (cosine of global features). */
  private async r1(seed: number): Promise<number> {
    const { model, test } = this.ctx;
    const bs = this.ctx.plan.phases.damsm.batchSize;
    let hits = 0;
    let total = 0;
    let n = 0;
    for await (const b of test.batches({ batchSize: Math.min(bs, test.size), seed, shuffle: true, prefetch: 0 })) {
      try {
        hits += tf.tidy(() => {
          const { global } = model.imageEncoder.apply(b.images.at(-1)!, false);
          const { sentence } = model.textEncoder.apply(b.captions, b.lengths, false);
          const img = tf.div(global, tf.add(tf.norm(global, 2, 1, true), 1e-8));
          const txt = tf.div(sentence, tf.add(tf.norm(sentence, 2, 1, true), 1e-8));
          const best = tf.argMax(tf.matMul(img, txt, false, true), 1);
          return tf.sum(tf.cast(tf.equal(best, tf.range(0, b.lengths.length, 1, 'int32')), 'int32')).dataSync()[0]!;
        });
        total += b.lengths.length;
      } finally {
        disposeBatch(b);
      }
      if (++n >= DAMSM_EVAL_BATCHES) break;
    }
    return total ? hits / total : 0;
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = null;
  }
}
