/**
 * GAN training with the encoders frozen (the original's trainer.py): the spec's optimizers for G
 * and each discriminator, G's moving average, one `gan.step` per batch with the step's noise from
 * runtime/model/noise.ts, and sample grids of fixed test captions and noise.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeBatch, type Batch } from '../../data/dataset.js';
import { renderSampleGrid } from '../../figures/sample-grid.js';
import type { CaptionQueue } from '../../losses/index.js';
import type { GanOptimizers, ModelNetworks } from '../../model/contract.js';
import { drawNoise, type Noise } from '../../model/noise.js';
import type { ParameterEma } from '../../optim/ema.js';
import { hash32 } from '../../util/rng.js';
import { AttncError } from '../../util/errors.js';
import type { ActivePhase, PhaseContext, PhaseDefinition, SampleGridSource, StepLosses } from '../phase.js';
import type { SavedRun } from '../state.js';

export const ganPhase: PhaseDefinition = {
  id: 'gan',
  title: 'GAN training',
  plan: (p) => p.phases.gan,
  trains: (network) => network === 'generator' || network.startsWith('discriminator_'),
  ready(p, { done, ranBefore }) {
    const encodersReady = done.includes('damsm') || ranBefore.includes('damsm') || !p.phases.damsm.enabled || (p.weights.textEncoder !== null && p.weights.imageEncoder !== null);
    if (!encodersReady) {
      throw new AttncError('ATTNC_TRAIN_ENCODERS', 'the GAN phase needs trained DAMSM encoders', {
        hint: 'run the DAMSM phase first (--phase all or --phase damsm), resume from a DAMSM checkpoint (--resume <run>), or name the encoders under `weights:` in the spec',
      });
    }
  },
  start: (ctx) => new GanPhase(ctx),
};

/** Captions shown in the sample grids (default: the first captions of a shuffled test split). */
export const SAMPLE_ROWS = 8;

class GanPhase<M extends ModelNetworks, O extends GanOptimizers> implements ActivePhase {
  readonly freshOptimizersEachEpoch = false;
  readonly ema: ParameterEma | null;
  readonly negatives: CaptionQueue | null;
  readonly wordParts: boolean;
  readonly sampler: SampleGridSource;
  private readonly grid: GanSampleGrid<M, O>;
  private readonly opts: O;

  constructor(private readonly ctx: PhaseContext<M, O>, rows = SAMPLE_ROWS) {
    ctx.model.textEncoder.freeze();
    ctx.model.imageEncoder.freeze();
    this.opts = ctx.gen.gan.createOptimizers();
    this.ema = ctx.gen.gan.createEma(ctx.model);
    this.negatives = ctx.gen.gan.createNegativeQueue?.() ?? null;
    this.wordParts = ctx.plan.phases.gan.wordParts ?? false;
    this.sampler = this.grid = new GanSampleGrid(ctx, this.ema, rows);
  }

  get summary(): string {
    const p = this.ctx.plan.phases.gan;
    const perEpoch = Math.floor(this.ctx.train.size / p.batchSize);
    return `GAN training: ${p.epochs} epochs × ${perEpoch} steps, batch ${p.batchSize}, ${this.opts.discriminators.length} discriminators, encoders frozen${this.ema ? ', EMA of G for samples' : ''}`;
  }

  beginEpoch(): void {}

  optimizers() {
    return [{ id: 'generator', optimizer: this.opts.generator }, ...this.opts.discriminators.map((optimizer, i) => ({ id: `discriminator_${i}`, optimizer }))];
  }

  lr(): number {
    return this.opts.generator.lr;
  }

  resume(saved: SavedRun): void {
    if (this.ema) saved.restoreEma(this.ema, this.ctx.model);
    if (this.negatives) saved.restoreNegatives(this.negatives);
  }

  step(b: Batch, step: number): StepLosses {
    const noise = drawNoise({ purpose: 'train', seed: this.ctx.seed, step, batchSize: b.lengths.length }, this.ctx.plan.noise);
    try {
      const out = this.ctx.gen.gan.step(this.ctx.model, this.opts, { images: b.images, tokens: b.captions, lengths: b.lengths, classIds: b.classIds, step, ...(b.wordParts ? { wordParts: b.wordParts } : {}) }, noise, this.ema, this.negatives ?? undefined);
      const losses: StepLosses = { generator: out.generator };
      out.discriminators.forEach((d, i) => (losses[`discriminator_${i}`] = d));
      return losses;
    } finally {
      tf.dispose([noise.z, noise.eps]);
      disposeBatch(b);
    }
  }

  dispose(): void {
    this.opts.generator.dispose();
    for (const o of this.opts.discriminators) o.dispose();
    this.ema?.dispose();
    this.negatives?.dispose();
    this.grid.dispose();
  }
}

/**
 * Fixed test captions and fixed noise (the `sample` noise of seed = the phase seed, one row per
 * caption: what `attnc sample --seed <seed>` would draw for them) through G — its EMA weights when
 * it has them, swapped in for the render and the live ones put back.
 */
class GanSampleGrid<M extends ModelNetworks, O extends GanOptimizers> implements SampleGridSource {
  private inputs: { tokens: tf.Tensor2D; lengths: number[]; captions: string[]; noise: Noise } | null = null;

  constructor(private readonly ctx: PhaseContext<M, O>, private readonly ema: ParameterEma | null, private readonly rows: number) {}

  async prepare(): Promise<void> {
    await this.ready();
  }

  private async ready(): Promise<NonNullable<GanSampleGrid<M, O>['inputs']>> {
    if (this.inputs) return this.inputs;
    const { test, vocab, seed } = this.ctx;
    for await (const b of test.batches({ batchSize: Math.min(this.rows, test.size), seed: hash32(seed, 0x5a3), shuffle: true, prefetch: 0 })) {
      const captions = b.lengths.map((len, i) => vocab.decode(Array.from(b.captions.slice([i, 0], [1, len]).dataSync())).join(' '));
      const noise = drawNoise({ purpose: 'sample', seed, indices: b.lengths.map((_, i) => i) }, this.ctx.plan.noise);
      this.inputs = { tokens: b.captions, lengths: b.lengths, captions, noise };
      tf.dispose(b.images);
      break;
    }
    return this.inputs!;
  }

  async render(step: number): Promise<{ png: Uint8Array; width: number; height: number }> {
    const s = await this.ready();
    const { gen, model } = this.ctx;
    const images = this.withEma(() =>
      tf.tidy(() => {
        const out = gen.sample(model, s.tokens, s.lengths, s.noise);
        tf.dispose(out.attn);
        return out.images.map((t) => ({ size: t.shape[1], data: t.dataSync() as Float32Array }));
      }),
    );
    const rows = s.captions.map((caption, i) => ({ caption, stages: images.map((im) => ({ size: im.size, data: im.data.subarray(i * im.size * im.size * 3, (i + 1) * im.size * im.size * 3) })) }));
    return renderSampleGrid(rows, `${this.ctx.plan.name} · GAN step ${step} · ${this.ema ? 'EMA generator' : 'generator'} · fixed test captions and noise`);
  }

  /** Runs `f` with G's parameters swapped for the EMA averages, then puts the live ones back. */
  private withEma<T>(f: () => T): T {
    const ema = this.ema;
    if (!ema) return f();
    const generator = this.ctx.model.generator;
    const live = generator.namedParameters().map(([, v]) => tf.clone(v));
    try {
      ema.copyTo(generator);
      return f();
    } finally {
      generator.namedParameters().forEach(([, v], i) => v.assign(live[i]!));
      tf.dispose(live);
    }
  }

  dispose(): void {
    if (this.inputs) tf.dispose([this.inputs.tokens, this.inputs.noise.z, this.inputs.noise.eps]);
    this.inputs = null;
  }
}
