import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RESIZE_RATIO } from '../data/images.js';
import { DEFAULT_HELDOUT_FRACTION, DEFAULT_TEST_FRACTION, PARTS, renderBirdWithMasks, synthBirds, type SynthBirdItem } from '../data/synthbirds/index.js';
import { Rng } from '../util/rng.js';
import { cacheDirOf, encodeShippedWeights, formatDuration, readCachedWeights, readShippedWeights, recipeKey, shippedWeightsFile, writeCachedWeights, type LearnedKind, type LearnedMeta } from './learned-model.js';

/**
 * A small U-Net that tells, per pixel of a 64×64 synthetic-bird picture, which part it shows
 * (`PARTS`: background, wing, belly, crown, beak, rest of the bird). It finds the parts in
 * *generated* images, where no mask exists, so that `attnc eval` can ask whether a word's attention
 * falls on the part the word names (runtime/eval/attention-lift.ts). Trained once on real pictures
 * and their rendered masks (the renderer records which fill painted each pixel), with the same
 * resize-and-crop the GAN's data goes through; shipped, cached or trained like the attribute
 * classifier (runtime/eval/learned-model.ts). Its accuracy on real test pictures is the metric's
 * ceiling and is in every report.
 */
export const SEGMENTER_INPUT = 64;
const K = PARTS.length;

const KIND: LearnedKind = { name: 'part-segmenter', label: 'part segmenter', format: 'attnc-part-segmenter', version: 1 };

export interface SegmenterTrainingOptions {
  /** The synthetic dataset the GAN trains on (its generator options and resize ratio). */
  dataset: { synth: { images: number; seed?: number; testFraction?: number; heldoutFraction?: number }; resizeRatio?: number };
  /** Pictures rendered for training (the `train` split of this many; default max(6000, dataset images)). */
  images?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface SegmenterMeta extends LearnedMeta {
  trainedOn: { images: number; seed: number; trainImages: number; epochs: number; resizeRatio: number };
  seconds: number;
}

/** Per-part intersection over union and pixel accuracy of hard labels against rendered masks. */
export interface SegmentationScore {
  pixelAccuracy: number;
  iou: Record<string, number>;
  pictures: number;
}

export class PartSegmenter {
  private constructor(
    private readonly model: tf.LayersModel,
    readonly meta: SegmenterMeta,
    readonly from: string | undefined,
    readonly source: 'shipped' | 'cache' | 'trained',
  ) {}

  readonly name = 'attnc synthetic-bird part segmenter';

  /** images [B, H, W, 3] in [−1, 1] → part probabilities [B, 64, 64, K] (`PARTS` order). */
  predict(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const x = images.shape[1] === SEGMENTER_INPUT && images.shape[2] === SEGMENTER_INPUT ? images : tf.image.resizeBilinear(images, [SEGMENTER_INPUT, SEGMENTER_INPUT]);
      return this.model.predict(x) as tf.Tensor4D;
    });
  }

  dispose(): void {
    this.model.dispose();
  }

  /** The shipped segmenter for this dataset, else the cached one, else a freshly trained one (then cached). */
  static async load(opts: SegmenterTrainingOptions): Promise<PartSegmenter> {
    const recipe = recipeOf(opts);
    const key = recipeKey(recipe);
    const shipped = shippedWeightsFile(KIND, key);
    if (fs.existsSync(shipped)) {
      const { model, meta } = readShippedWeights<SegmenterMeta>(shipped, KIND, key, () => build(0));
      return new PartSegmenter(model, meta, shipped, 'shipped');
    }
    const dir = cacheDirOf(KIND, key, opts.cacheDir);
    const cached = readCachedWeights<SegmenterMeta>(dir, KIND, key, () => build(0));
    if (cached) return new PartSegmenter(cached.model, cached.meta, dir, 'cache');
    const { model, meta } = await train(recipe, key, opts.log ?? (() => {}));
    writeCachedWeights(dir, model, meta);
    return new PartSegmenter(model, meta, dir, 'trained');
  }

  /** Trains one for `opts` whatever is shipped or cached (tools/train-part-segmenter.ts). */
  static async train(opts: SegmenterTrainingOptions): Promise<PartSegmenter> {
    const recipe = recipeOf(opts);
    const { model, meta } = await train(recipe, recipeKey(recipe), opts.log ?? (() => {}));
    return new PartSegmenter(model, meta, undefined, 'trained');
  }

  static shipped(opts: SegmenterTrainingOptions): { file: string; exists: boolean } {
    const file = shippedWeightsFile(KIND, recipeKey(recipeOf(opts)));
    return { file, exists: fs.existsSync(file) };
  }

  toShippedFile(provenance: string): Uint8Array {
    return encodeShippedWeights(this.model, this.meta, provenance);
  }

  /** Hard labels against the rendered masks of `count` real pictures of a split (centre crop, as evaluation sees them). */
  score(opts: SegmenterTrainingOptions, split: 'train' | 'test' | 'heldout', count = 200): SegmentationScore {
    const r = recipeOf(opts);
    const items = splitItems(r, split).slice(0, count);
    const inter = new Array<number>(K).fill(0);
    const union = new Array<number>(K).fill(0);
    let correct = 0;
    let pixels = 0;
    for (let start = 0; start < items.length; start += 32) {
      const part = items.slice(start, start + 32);
      const { images, masks } = pictures(part, r.resizeRatio, null);
      const probs = this.predict(images);
      const pred = tf.tidy(() => tf.argMax(probs, 3));
      const labels = pred.dataSync();
      tf.dispose([images, probs, pred]);
      for (let p = 0; p < labels.length; p++) {
        let truth = 0;
        for (let k = 1; k < K; k++) if (masks[p * K + k]! > masks[p * K + truth]!) truth = k;
        const got = labels[p]!;
        pixels++;
        if (got === truth) {
          correct++;
          inter[got]!++;
          union[got]!++;
        } else {
          union[got]!++;
          union[truth]!++;
        }
      }
    }
    return { pixelAccuracy: correct / Math.max(1, pixels), iou: Object.fromEntries(PARTS.map((p, k) => [p, inter[k]! / Math.max(1, union[k]!)])), pictures: items.length };
  }
}

type Recipe = ReturnType<typeof recipeOf>;
function recipeOf(opts: SegmenterTrainingOptions) {
  const s = opts.dataset.synth;
  return {
    version: KIND.version,
    images: opts.images ?? Math.max(6000, s.images),
    seed: s.seed ?? 0,
    testFraction: s.testFraction ?? DEFAULT_TEST_FRACTION,
    heldoutFraction: s.heldoutFraction ?? DEFAULT_HELDOUT_FRACTION,
    resizeRatio: opts.dataset.resizeRatio ?? DEFAULT_RESIZE_RATIO,
    epochs: opts.epochs ?? 4,
    batchSize: opts.batchSize ?? 32,
    trainSeed: opts.seed ?? 1,
  };
}

function splitItems(r: Recipe, split: 'train' | 'test' | 'heldout'): SynthBirdItem[] {
  const all = synthBirds({ n: r.images, seed: r.seed, size: 32, testFraction: r.testFraction, heldoutFraction: r.heldoutFraction });
  return all.splits[split].map((i) => all.items[i]!);
}

/**
 * Pictures and masks of `items` as the GAN's data sees them: rendered at trunc(64 · ratio) (the
 * same scene at any size), then a 64×64 crop — random with a random flip when `rng` is given,
 * centred otherwise. images [B, 64, 64, 3] in [−1, 1]; masks [B·64·64·K].
 */
function pictures(items: readonly SynthBirdItem[], resizeRatio: number, rng: Rng | null): { images: tf.Tensor4D; masks: Float32Array } {
  const S = SEGMENTER_INPUT;
  const big = Math.trunc(S * resizeRatio);
  const rgb = new Float32Array(items.length * S * S * 3);
  const masks = new Float32Array(items.length * S * S * K);
  items.forEach((it, b) => {
    const r = renderBirdWithMasks(it.attributes, big, it.renderSeed);
    const y0 = rng ? rng.int(big - S + 1) : Math.round((big - S) / 2);
    const x0 = rng ? rng.int(big - S + 1) : Math.round((big - S) / 2);
    const flip = rng ? rng.chance(0.5) : false;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const sx = x0 + (flip ? S - 1 - x : x);
        const src = (y0 + y) * big + sx;
        const dst = (b * S + y) * S + x;
        for (let c = 0; c < 3; c++) rgb[dst * 3 + c] = r.rgb[src * 3 + c]! / 127.5 - 1;
        for (let k = 0; k < K; k++) masks[dst * K + k] = r.masks.weights[src * K + k]!;
      }
    }
  });
  return { images: tf.tensor4d(rgb, [items.length, S, S, 3]), masks };
}

function build(seed: number): tf.LayersModel {
  let n = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + n++ });
  const block = (x: tf.SymbolicTensor, filters: number, strides = 1) => {
    let h = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
    return tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  };
  const up = (x: tf.SymbolicTensor, skip: tf.SymbolicTensor, filters: number) =>
    block(tf.layers.concatenate().apply([tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor, skip]) as tf.SymbolicTensor, filters);
  const input = tf.input({ shape: [SEGMENTER_INPUT, SEGMENTER_INPUT, 3] });
  const e1 = block(input, 16); // 64
  const e2 = block(e1, 32, 2); // 32
  const e3 = block(e2, 48, 2); // 16
  const e4 = block(e3, 64, 2); // 8: a receptive field that spans the bird
  const d3 = up(e4, e3, 48);
  const d2 = up(d3, e2, 32);
  const d1 = up(d2, e1, 24);
  const out = tf.layers.conv2d({ filters: K, kernelSize: 1, activation: 'softmax', kernelInitializer: init() }).apply(d1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Trains on the `train` split only; soft targets (anti-aliased edges belong partly to two parts). */
async function train(r: Recipe, key: string, log: (line: string) => void): Promise<{ model: tf.LayersModel; meta: SegmenterMeta }> {
  const t0 = performance.now();
  const items = splitItems(r, 'train');
  const model = build(r.trainSeed);
  const optimizers: tf.Optimizer[] = [];
  const softCrossEntropy = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.tidy(() => tf.neg(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, 1e-7, 1))), -1)));
  const compile = (lr: number) => {
    const optimizer = tf.train.adam(lr);
    optimizers.push(optimizer);
    model.compile({ optimizer, loss: softCrossEntropy });
  };
  compile(1e-3);
  const perEpoch = Math.floor(items.length / r.batchSize);
  const total = perEpoch * r.epochs;
  log(`  training the part segmenter once for this dataset: ${items.length} train pictures × ${r.epochs} epochs (${total} steps), then cached`);
  const rng = Rng.stream(r.trainSeed).fork('segmenter');
  let step = 0;
  for (let epoch = 0; epoch < r.epochs; epoch++) {
    // The last quarter at a fifth of the rate (fresh moments) settles the small parts (crown, beak).
    if (epoch > 0 && epoch === Math.floor(r.epochs * 0.75)) compile(2e-4);
    const order = rng.fork(`epoch:${epoch}`).shuffle(items.map((_, i) => i));
    let loss = 0;
    for (let b = 0; b < perEpoch; b++) {
      const batch = order.slice(b * r.batchSize, (b + 1) * r.batchSize).map((i) => items[i]!);
      const { images, masks } = pictures(batch, r.resizeRatio, rng.fork(`batch:${epoch}:${b}`));
      const target = tf.tensor4d(masks, [batch.length, SEGMENTER_INPUT, SEGMENTER_INPUT, K]);
      const l = await model.trainOnBatch(images, target);
      loss += Array.isArray(l) ? l[0]! : l;
      tf.dispose([images, target]);
      step++;
      if (epoch === 0 && step === Math.min(20, perEpoch)) log(`  part segmenter: ${step}/${total} steps, ETA ${formatDuration(((performance.now() - t0) / step) * (total - step))}`);
    }
    log(`  part segmenter epoch ${epoch + 1}/${r.epochs}: loss ${(loss / Math.max(1, perEpoch)).toFixed(3)}, ${formatDuration(performance.now() - t0)} elapsed`);
  }
  for (const o of optimizers) o.dispose();
  const meta: SegmenterMeta = {
    format: KIND.format,
    version: KIND.version,
    key,
    trainedOn: { images: r.images, seed: r.seed, trainImages: items.length, epochs: r.epochs, resizeRatio: r.resizeRatio },
    seconds: (performance.now() - t0) / 1000,
  };
  return { model, meta };
}
