import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { disposeBatch, openDataset, type SynthBirdsDatasetConfig } from '../data/dataset.js';
import { DEFAULT_RESIZE_RATIO } from '../data/images.js';
import { BEAK_LENGTHS, BODY_SIZES, COLOURS, DEFAULT_HELDOUT_FRACTION, DEFAULT_TEST_FRACTION, NUM_CLASSES, SCENES, synthBirds, type BirdAttributes, type CaptionAttribute } from '../data/synthbirds/index.js';
import { cacheDirOf, encodeShippedWeights, formatDuration, readCachedWeights, readShippedWeights, recipeKey as keyOf, shippedWeightsFile, writeCachedWeights, type LearnedKind } from './learned-model.js';

/**
 * A small CNN that reads a synthetic bird's attributes (wing, belly and crown colour, beak length,
 * body size, scene) from a 64×64 picture. Trained once on real synthetic images and cached; it
 * scores generated images (attribute accuracy), and is the FID / IS feature extractor when no
 * Inception-v3 weights are given: its 128-d penultimate layer for FID, and the colour-triple class
 * p(wing)·p(belly)·p(crown) over the 729 classes for IS.
 *
 * Where it comes from, first match wins: the weights shipped with attnc for the built-in dataset's
 * standard configuration (runtime/eval/weights/, made by tools/train-attribute-classifier.ts), the
 * per-machine cache, or training (about 10 CPU-minutes on 2 cores, with progress and an ETA), then
 * cached. The cache key is the recipe (dataset seed and fractions, resize ratio, epochs, seeds).
 */
export const HEADS: ReadonlyArray<{ name: CaptionAttribute; values: readonly string[] }> = [
  { name: 'wing', values: COLOURS },
  { name: 'belly', values: COLOURS },
  { name: 'crown', values: COLOURS },
  { name: 'beak', values: BEAK_LENGTHS },
  { name: 'size', values: BODY_SIZES },
  { name: 'background', values: SCENES },
];

export const CLASSIFIER_INPUT = 64;
export const CLASSIFIER_FEATURES = 128;
/** Bump `version` when the architecture or the training recipe changes: old caches are then refused. */
const KIND: LearnedKind = { name: 'attribute-classifier', label: 'attribute classifier', format: 'attnc-attribute-classifier', version: 1 };

export interface ClassifierTrainingOptions {
  /** The synthetic dataset the GAN trains on (its `synth` and `resizeRatio` matter). */
  dataset: Pick<SynthBirdsDatasetConfig, 'synth' | 'resizeRatio'>;
  /** Images rendered for the classifier (its `train` split is used; default max(6000, dataset images)). */
  images?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Cache folder (default `$ATTNC_CACHE_DIR` or `$XDG_CACHE_HOME/attnc` or `~/.cache/attnc`, then `eval/`). */
  cacheDir?: string;
  /** Progress lines (epochs); default silent. */
  log?: (line: string) => void;
}

export interface ClassifierMeta {
  format: 'attnc-attribute-classifier';
  version: number;
  key: string;
  trainedOn: { images: number; seed: number; testFraction?: number; heldoutFraction?: number; trainImages: number; epochs: number; resizeRatio?: number };
  seconds: number;
  weights: Array<{ name: string; shape: number[] }>;
}

export class AttributeClassifier {
  private constructor(
    private readonly model: tf.LayersModel,
    readonly meta: ClassifierMeta,
    /** The cache folder, or the shipped weights file. */
    readonly cachedAt: string | undefined,
    readonly source: 'shipped' | 'cache' | 'trained',
  ) {}

  readonly name = 'attnc synthetic-bird attribute classifier';

  /** images [B, H, W, 3] in [−1, 1] → probabilities per head ([B, values]) and the 128-d features. */
  predict(images: tf.Tensor4D): { heads: tf.Tensor2D[]; features: tf.Tensor2D } {
    return tf.tidy(() => {
      const x = images.shape[1] === CLASSIFIER_INPUT && images.shape[2] === CLASSIFIER_INPUT ? images : tf.image.resizeBilinear(images, [CLASSIFIER_INPUT, CLASSIFIER_INPUT]);
      const out = this.model.predict(x) as tf.Tensor[];
      return { features: out[0] as tf.Tensor2D, heads: out.slice(1) as tf.Tensor2D[] };
    });
  }

  /** Most likely value per head, per image. */
  labels(images: tf.Tensor4D): Array<Record<CaptionAttribute, string>> {
    const { heads, features } = this.predict(images);
    const idx = heads.map((h) => {
      const a = tf.argMax(h, 1);
      const v = a.dataSync();
      a.dispose();
      return v;
    });
    tf.dispose([...heads, features]);
    return Array.from({ length: images.shape[0] }, (_, b) =>
      Object.fromEntries(HEADS.map((h, k) => [h.name, h.values[idx[k]![b]!]!])) as Record<CaptionAttribute, string>,
    );
  }

  /** p(colour triple) = p(wing)·p(belly)·p(crown), [B, 729] in class-id order (id − 1). */
  static classProbs(heads: readonly tf.Tensor2D[]): tf.Tensor2D {
    return tf.tidy(() => {
      const [w, b, c] = heads as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const B = w.shape[0];
      const wb = tf.mul(tf.reshape(w, [B, 9, 1]), tf.reshape(b, [B, 1, 9])); // [B, 9, 9]
      const wbc = tf.mul(tf.reshape(wb, [B, 81, 1]), tf.reshape(c, [B, 1, 9]));
      return tf.reshape(wbc, [B, NUM_CLASSES]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.model.dispose();
  }

  /** The shipped classifier for this dataset, else the cached one, else a freshly trained one (then cached). */
  static async load(opts: ClassifierTrainingOptions): Promise<AttributeClassifier> {
    const { recipe, key } = recipeKey(opts);
    const shipped = shippedWeightsFile(KIND, key);
    if (fs.existsSync(shipped)) {
      const { model, meta } = readShippedWeights<ClassifierMeta>(shipped, KIND, key, () => build(0));
      return new AttributeClassifier(model, meta, shipped, 'shipped');
    }
    const dir = cacheDirOf(KIND, key, opts.cacheDir);
    const cached = readCachedWeights<ClassifierMeta>(dir, KIND, key, () => build(0));
    if (cached) return new AttributeClassifier(cached.model, cached.meta, dir, 'cache');
    const { model, meta } = await train(recipe, key, opts.log ?? (() => {}));
    writeCachedWeights(dir, model, meta);
    return new AttributeClassifier(model, meta, dir, 'trained');
  }

  /** Trains one for `opts` whatever is shipped or cached (tools/train-attribute-classifier.ts). */
  static async train(opts: ClassifierTrainingOptions): Promise<AttributeClassifier> {
    const { recipe, key } = recipeKey(opts);
    const { model, meta } = await train(recipe, key, opts.log ?? (() => {}));
    return new AttributeClassifier(model, meta, undefined, 'trained');
  }

  /** Where a classifier of this recipe ships, and whether it does. */
  static shipped(opts: ClassifierTrainingOptions): { file: string; exists: boolean } {
    const file = shippedWeightsFile(KIND, recipeKey(opts).key);
    return { file, exists: fs.existsSync(file) };
  }

  /** The weights as a float16 safetensors file with the recipe in its metadata (what ships). */
  toShippedFile(provenance: string): Uint8Array {
    return encodeShippedWeights(this.model, this.meta, provenance);
  }
}

function recipeKey(opts: ClassifierTrainingOptions): { recipe: Recipe; key: string } {
  const recipe = recipeOf(opts);
  return { recipe, key: keyOf(recipe) };
}

type Recipe = ReturnType<typeof recipeOf>;
function recipeOf(opts: ClassifierTrainingOptions) {
  const s = opts.dataset.synth;
  return {
    version: KIND.version,
    images: opts.images ?? Math.max(6000, s.images),
    seed: s.seed ?? 0,
    // Defaults filled in, so equal datasets give equal cache keys however they were written.
    testFraction: s.testFraction ?? DEFAULT_TEST_FRACTION,
    heldoutFraction: s.heldoutFraction ?? DEFAULT_HELDOUT_FRACTION,
    resizeRatio: opts.dataset.resizeRatio ?? DEFAULT_RESIZE_RATIO,
    epochs: opts.epochs ?? 16,
    batchSize: opts.batchSize ?? 32,
    trainSeed: opts.seed ?? 1,
  };
}

function build(seed: number): tf.LayersModel {
  let k = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + k++ });
  const input = tf.input({ shape: [CLASSIFIER_INPUT, CLASSIFIER_INPUT, 3] });
  let h: tf.SymbolicTensor = input;
  for (const filters of [32, 48, 64, 96]) {
    h = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor; // 64 → 4 after four
  }
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const features = tf.layers.dense({ units: CLASSIFIER_FEATURES, activation: 'relu', kernelInitializer: init(), name: 'features' }).apply(h) as tf.SymbolicTensor;
  const heads = HEADS.map((hd) => tf.layers.dense({ units: hd.values.length, activation: 'softmax', kernelInitializer: init(), name: `head_${hd.name}` }).apply(features) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: [features, ...heads] });
}

/**
 * Per-sample cross-entropy on one-hot labels, times `weight`: beak length (a few pixels at 64 px,
 * relative to body size) learns slowest and gets a larger share of the gradient.
 */
function weightedCrossEntropy(weight: number): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  return (yTrue, yPred) => tf.tidy(() => tf.mul(-weight, tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, 1e-7, 1))), -1)));
}

/** Trains on the `train` split only (no test or held-out colour combination is ever seen). */
async function train(r: Recipe, key: string, log: (line: string) => void): Promise<{ model: tf.LayersModel; meta: ClassifierMeta }> {
  const t0 = performance.now();
  const synth = { images: r.images, seed: r.seed, ...(r.testFraction === undefined ? {} : { testFraction: r.testFraction }), ...(r.heldoutFraction === undefined ? {} : { heldoutFraction: r.heldoutFraction }) };
  const ds = await openDataset({
    kind: 'synthbirds', split: 'train', synth, capsPerImage: 1, wordsNum: 18, imageSizes: [CLASSIFIER_INPUT], augment: true,
    ...(r.resizeRatio === undefined ? {} : { resizeRatio: r.resizeRatio }), onBadFile: 'error', seed: r.trainSeed,
  });
  const attrs = attributesByKey(synth);
  const model = build(r.trainSeed);
  const heads = HEADS.map((h) => model.getLayer(`head_${h.name}`).output as tf.SymbolicTensor);
  const trainModel = tf.model({ inputs: model.inputs, outputs: heads });
  const optimizers: tf.Optimizer[] = [];
  const compile = (lr: number) => {
    const optimizer = tf.train.adam(lr);
    optimizers.push(optimizer);
    trainModel.compile({ optimizer, loss: HEADS.map((h) => weightedCrossEntropy(h.name === 'beak' ? 3 : 1)) });
  };
  compile(1e-3);
  const perEpoch = Math.floor(ds.size / r.batchSize);
  log(`  training the attribute classifier once for this dataset: ${ds.size} train images × ${r.epochs} epochs (${perEpoch * r.epochs} steps; ~10 CPU-minutes on 2 cores), then cached`);
  const tTrain = performance.now();
  const eta = (done: number) => formatDuration(((performance.now() - tTrain) / done) * (perEpoch * r.epochs - done));
  for (let epoch = 0; epoch < r.epochs; epoch++) {
    // Last quarter at a fifth of the rate (fresh Adam moments): settles the fine attributes (beak, crown).
    if (epoch > 0 && epoch === Math.floor(r.epochs * 0.75)) compile(2e-4);
    let loss = 0;
    let n = 0;
    for await (const batch of ds.batches({ batchSize: r.batchSize, seed: r.trainSeed * 7919 + epoch, dropLast: true })) {
      const ys = HEADS.map((h) => tf.tidy(() => tf.oneHot(tf.tensor1d(batch.keys.map((key) => h.values.indexOf(attrs.get(key)![h.name])), 'int32'), h.values.length).toFloat()));
      const l = await trainModel.trainOnBatch(batch.images[0]!, ys);
      tf.dispose(ys);
      disposeBatch(batch);
      loss += Array.isArray(l) ? l[0]! : l;
      n++;
      // A first estimate early, before the first epoch's line (an epoch takes a minute or more).
      if (epoch === 0 && n === Math.min(20, Math.max(1, Math.floor(perEpoch / 4)))) log(`  attribute classifier: ${n}/${perEpoch * r.epochs} steps, ETA ${eta(n)}`);
    }
    const done = (epoch + 1) * perEpoch;
    log(`  attribute classifier epoch ${epoch + 1}/${r.epochs}: loss ${(loss / Math.max(1, n)).toFixed(3)}, ${formatDuration(performance.now() - tTrain)} elapsed${epoch + 1 < r.epochs ? `, ETA ${eta(done)}` : ''}`);
  }
  await ds.close();
  for (const o of optimizers) o.dispose();
  const meta: ClassifierMeta = {
    format: 'attnc-attribute-classifier',
    version: KIND.version,
    key,
    trainedOn: { images: r.images, seed: r.seed, testFraction: r.testFraction, heldoutFraction: r.heldoutFraction, trainImages: ds.size, epochs: r.epochs, resizeRatio: r.resizeRatio },
    seconds: (performance.now() - t0) / 1000,
    weights: model.getWeights().map((w, i) => ({ name: `${i}`, shape: w.shape })),
  };
  return { model, meta };
}

/** Every item's attributes by key, for the same generator options as the dataset. */
export function attributesByKey(synth: SynthBirdsDatasetConfig['synth']): Map<string, BirdAttributes> {
  const all = synthBirds({ n: synth.images, seed: synth.seed ?? 0, size: 32, ...(synth.testFraction === undefined ? {} : { testFraction: synth.testFraction }), ...(synth.heldoutFraction === undefined ? {} : { heldoutFraction: synth.heldoutFraction }) });
  return new Map(all.items.map((it) => [it.key, it.attributes]));
}
