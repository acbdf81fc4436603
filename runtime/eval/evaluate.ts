import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openDataset, type DatasetConfig } from '../data/dataset.js';
import { encodePng } from '../data/images.js';
import { parseCaption } from '../data/synthbirds/captions.js';
import type { InferenceModel, ModelNetworks } from '../model/contract.js';
import { drawNoise } from '../model/noise.js';
import { toRgbImages } from '../figures/figures.js';
import { AttncError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { MIN_PART_SHARE, addAttentionBatch, emptyAttentionSums, type AttentionSums } from './attention-metric.js';
import { AttributeClassifier, HEADS, attributesByKey } from './attribute-classifier.js';
import { damsmPasses, damsmRecall, type DamsmSums } from './damsm-metric.js';
import type { PartSegmenter, SegmentationScore } from './part-segmenter.js';
import { evalItems, splitImages, type EvalItem, type SplitImage } from './caption-set.js';
import type { FeatureExtractor } from './extractor.js';
import { FeatureStats } from './fid.js';
import { tokenTensor } from './generate.js';
import { InceptionScoreSums } from './inception-score.js';
import { RPrecisionSums, rankHits, type RPrecisionProtocol } from './rprecision.js';
import { inShard, shardIndices, type Shard } from './shard.js';

export const METRICS = ['rprecision', 'fid', 'is', 'attributes', 'attention', 'damsm'] as const;
export type Metric = (typeof METRICS)[number];

/** Everything that must be equal for partial results to merge. */
export interface EvalProtocol {
  model: { name: string; source: string; generatorWeights: string };
  split: string;
  samples: number;
  seed: number;
  metrics: Metric[];
  /** Generated images are the last stage at this size. */
  imageSize: number;
  wordsNum: number;
  rprecision?: RPrecisionProtocol & { encoders: string };
  fid?: { extractor: string; description: string };
  is?: { extractor: string; splits: number; classes: number };
  attributes?: { classifier: string };
  attention?: { segmenter: string; stage: number; minPartShare: number };
  damsm?: { batchSize: number; passes: number; encoders: string };
  /** FID's floor: real training images against the split's real images, same extractor. */
  fidFloor?: { trainImages: number };
}

export interface AttributeCounts {
  correct: Record<string, number>;
  total: Record<string, number>;
}

export interface PartialResult {
  format: 'attnc-eval-partial';
  version: 1;
  protocol: EvalProtocol;
  shard: Shard;
  generated: number;
  realImages: number;
  rprecision?: ReturnType<RPrecisionSums['toJSON']>;
  is?: ReturnType<InceptionScoreSums['toJSON']>;
  /** File names (in the same folder) of the FID statistics. */
  fid?: { generated: string; real: string };
  attributes?: { generated: AttributeCounts; real: AttributeCounts };
  attention?: AttentionSums & { segmenter: SegmentationScore };
  damsm?: DamsmSums;
  /** File name of the training images' FID statistics (the floor). */
  fidFloor?: string;
  /** Example images written to the same folder, by global index. */
  examples: Array<{ g: number; file: string; caption: string }>;
  unknownWords: number;
  seconds: number;
}

export interface EvalOptions {
  split: string;
  metrics: readonly Metric[];
  samples: number;
  batchSize: number;
  seed: number;
  shard: Shard;
  /** R-precision candidates and folds (the spec's r_precision metric). */
  rprecision: RPrecisionProtocol;
  isSplits: number;
  /** Keep the first this many samples (by global index) as example images. */
  examples: number;
  /** The `openDataset` config of the split (augment off; the last stage's size). */
  dataset: DatasetConfig;
  /** DAMSM encoders for R-precision; default the model's own. */
  evalEncoders?: { textEncoder: ModelNetworks['textEncoder']; imageEncoder: ModelNetworks['imageEncoder']; source: string };
  extractor?: FeatureExtractor;
  classifier?: AttributeClassifier;
  /** Finds the parts in generated images (attention metric), with its score on the split's real images. */
  segmenter?: { model: PartSegmenter; score: SegmentationScore };
  /** The training split's config (the FID floor), when the dataset has one. */
  trainDataset?: DatasetConfig;
  log?: (line: string) => void;
}

const PARTIAL_FILE = 'partial.json';
/** Per-sample attribute readings (JSON lines: g, caption, stated, read), beside the partial result. */
export const ATTRIBUTES_FILE = 'attributes.jsonl';

function emptyCounts(): AttributeCounts {
  return { correct: Object.fromEntries(HEADS.map((h) => [h.name, 0])), total: Object.fromEntries(HEADS.map((h) => [h.name, 0])) };
}

/**
 * One shard of an evaluation (the whole of it with shard 0/1): generates the shard's samples,
 * accumulates every metric as mergeable sums, and writes `partial.json` (+ FID statistics and
 * example PNGs) into `outDir`. `mergePartials` turns one or many of these into the report.
 */
export async function evaluateShard(model: InferenceModel, opts: EvalOptions, outDir: string): Promise<PartialResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const metrics = new Set(opts.metrics);
  if (metrics.size === 0) throw new AttncError('ATTNC_USAGE_OPTION', 'no metric selected', { hint: `--metrics takes ${METRICS.join(',')}` });
  if ((metrics.has('fid') || metrics.has('is')) && !opts.extractor) throw new Error('evaluateShard: FID/IS need a feature extractor');
  if (metrics.has('attributes') && (!opts.classifier || opts.dataset.kind !== 'synthbirds')) {
    throw new AttncError('ATTNC_EVAL_METRIC', 'attribute accuracy is defined for the synthetic birds only', { hint: 'leave attributes out of --metrics for this dataset' });
  }
  if (metrics.has('attention') && (!opts.segmenter || opts.dataset.kind !== 'synthbirds')) {
    throw new AttncError('ATTNC_EVAL_METRIC', 'the attention metric needs part masks: it is defined for the synthetic birds only', { hint: 'leave attention out of --metrics for this dataset' });
  }
  if (metrics.has('attention') && model.data.imageSizes.length < 2) {
    throw new AttncError('ATTNC_EVAL_METRIC', `${model.name} has no attention stage`, { hint: 'leave attention out of --metrics for this model' });
  }
  const imageSize = model.data.imageSizes.at(-1)!;
  const wordsNum = model.data.wordsNum;
  const enc = opts.evalEncoders ?? { textEncoder: model.textEncoder, imageEncoder: model.imageEncoder, source: `${model.source} (the model's own DAMSM)` };
  const protocol: EvalProtocol = {
    model: { name: model.name, source: model.source, generatorWeights: model.generatorWeights },
    split: opts.split,
    samples: opts.samples,
    seed: opts.seed,
    metrics: METRICS.filter((m) => metrics.has(m)),
    imageSize,
    wordsNum,
    ...(metrics.has('rprecision') ? { rprecision: { ...opts.rprecision, encoders: enc.source } } : {}),
    ...(metrics.has('fid') ? { fid: { extractor: opts.extractor!.name, description: opts.extractor!.description } } : {}),
    ...(metrics.has('is') ? { is: { extractor: opts.extractor!.name, splits: opts.isSplits, classes: opts.extractor!.classes } } : {}),
    ...(metrics.has('attributes') ? { attributes: { classifier: opts.classifier!.name } } : {}),
    ...(metrics.has('attention') ? { attention: { segmenter: opts.segmenter!.model.name, stage: model.data.imageSizes.length - 1, minPartShare: MIN_PART_SHARE } } : {}),
    ...(metrics.has('fid') && opts.trainDataset ? { fidFloor: { trainImages: 0 } } : {}),
  };
  const { images, unknownWords } = await splitImages(opts.dataset, model.vocab);
  const items = evalItems(images, {
    samples: opts.samples, seed: opts.seed, wordsNum, longCaptions: model.data.longCaptions,
    candidates: metrics.has('rprecision') ? opts.rprecision.candidates : undefined, indices: shardIndices(opts.samples, opts.shard),
  });
  fs.mkdirSync(outDir, { recursive: true });
  const rp = metrics.has('rprecision') ? new RPrecisionSums(opts.rprecision) : undefined;
  const is = metrics.has('is') ? new InceptionScoreSums(opts.extractor!.classes, opts.isSplits) : undefined;
  const genStats = metrics.has('fid') ? new FeatureStats(opts.extractor!.dim) : undefined;
  const realStats = metrics.has('fid') ? new FeatureStats(opts.extractor!.dim) : undefined;
  const attrGen = metrics.has('attributes') ? emptyCounts() : undefined;
  const attrReal = metrics.has('attributes') ? emptyCounts() : undefined;
  const attention = metrics.has('attention') ? emptyAttentionSums() : undefined;
  const examples: PartialResult['examples'] = [];
  // One line per generated sample: what its caption states and what the classifier reads (which
  // colour went to which part: docs/tuning.md's binding analysis reads this file).
  const attributeLines: string[] = [];

  for (let start = 0; start < items.length; start += opts.batchSize) {
    const batch = items.slice(start, start + opts.batchSize);
    const gs = batch.map((it) => it.g);
    const { tokens, lengths } = tokenTensor(batch.map((it) => it.ids));
    const noise = drawNoise({ purpose: 'sample', seed: opts.seed, indices: gs }, model.noise);
    const out = model.sample(tokens, lengths, noise);
    const last = out.images[out.images.length - 1]!;
    if (attention) addAttentionBatch(attention, out.attn.at(-1)!, last, batch.map((it) => it.ids), model.vocab, opts.segmenter!.model);
    tf.dispose([tokens, noise.z, noise.eps, ...out.images.slice(0, -1), ...out.attn]);
    if (rp) rp.add(rPrecisionHits(enc, last, batch, images, wordsNum), gs);
    if (genStats || is) {
      const { features, probs } = opts.extractor!.apply(last);
      if (genStats) genStats.add(features.dataSync() as Float32Array);
      if (is) is.add(probs.dataSync() as Float32Array, gs);
      tf.dispose([features, probs]);
    }
    if (attrGen) {
      const labels = opts.classifier!.labels(last);
      batch.forEach((it, b) => {
        const caption = model.vocab.decode(it.ids).join(' ');
        const stated = parseCaption(caption).attributes as Record<string, string>;
        for (const h of HEADS) {
          const want = stated[h.name];
          if (want === undefined) continue;
          attrGen.total[h.name]!++;
          if (labels[b]![h.name] === want) attrGen.correct[h.name]!++;
        }
        attributeLines.push(JSON.stringify({ g: it.g, caption, stated, read: labels[b] }));
      });
    }
    const keep = batch.map((it, b) => [it, b] as const).filter(([it]) => it.g < opts.examples);
    if (keep.length > 0) {
      const rgb = toRgbImages(last.dataSync() as Float32Array, last.shape);
      for (const [it, b] of keep) {
        const file = `example-${String(it.g).padStart(6, '0')}.png`;
        fs.writeFileSync(path.join(outDir, file), encodePng(rgb[b]!));
        examples.push({ g: it.g, file, caption: model.vocab.decode(it.ids).join(' ') });
      }
    }
    last.dispose();
    log(`  generated ${Math.min(items.length, start + opts.batchSize)}/${items.length}`);
  }

  // Real images of the split (this shard's share): FID reference statistics, the classifier's ceiling.
  let realImages = 0;
  if (realStats || attrReal) {
    const ds = await openDataset({ ...opts.dataset, imageSizes: [imageSize], augment: false });
    const truth = attrReal && opts.dataset.kind === 'synthbirds' ? attributesByKey(opts.dataset.synth) : undefined;
    const mine = images.filter((im) => inShard(im.index, opts.shard));
    for (let start = 0; start < mine.length; start += opts.batchSize) {
      const part = mine.slice(start, start + opts.batchSize);
      const samples = await Promise.all(part.map((im) => ds.getSample(im.index, Rng.stream(im.index))));
      const x = tf.tidy(() => {
        const flat = new Float32Array(samples.length * imageSize * imageSize * 3);
        samples.forEach((s, b) => {
          for (let i = 0; i < s.image.data.length; i++) flat[b * s.image.data.length + i] = s.image.data[i]! / 127.5 - 1;
        });
        return tf.tensor4d(flat, [samples.length, imageSize, imageSize, 3]);
      });
      if (realStats) {
        const { features, probs } = opts.extractor!.apply(x);
        realStats.add(features.dataSync() as Float32Array);
        tf.dispose([features, probs]);
      }
      if (attrReal && truth) {
        const labels = opts.classifier!.labels(x);
        samples.forEach((s, b) => {
          const a = truth.get(s.key)! as unknown as Record<string, string>;
          for (const h of HEADS) {
            attrReal.total[h.name]!++;
            if (labels[b]![h.name] === a[h.name]) attrReal.correct[h.name]!++;
          }
        });
      }
      x.dispose();
      realImages += samples.length;
    }
    await ds.close();
  }

  // The FID floor: as many training images as the split has, against the split's real images.
  let floorStats: FeatureStats | undefined;
  if (realStats && opts.trainDataset) {
    const train = await openDataset({ ...opts.trainDataset, imageSizes: [imageSize], augment: false });
    const n = Math.min(train.size, images.length);
    protocol.fidFloor = { trainImages: n };
    floorStats = new FeatureStats(opts.extractor!.dim);
    const mine = Array.from({ length: n }, (_, i) => i).filter((i) => inShard(i, opts.shard));
    for (let start = 0; start < mine.length; start += opts.batchSize) {
      const part = mine.slice(start, start + opts.batchSize);
      const samples = await Promise.all(part.map((i) => train.getSample(i, Rng.stream(i))));
      const x = tf.tidy(() => {
        const flat = new Float32Array(samples.length * imageSize * imageSize * 3);
        samples.forEach((s, b) => {
          for (let i = 0; i < s.image.data.length; i++) flat[b * s.image.data.length + i] = s.image.data[i]! / 127.5 - 1;
        });
        return tf.tensor4d(flat, [samples.length, imageSize, imageSize, 3]);
      });
      const { features, probs } = opts.extractor!.apply(x);
      floorStats.add(features.dataSync() as Float32Array);
      tf.dispose([features, probs, x]);
    }
    await train.close();
  }

  // DAMSM R@1 on the split's real pictures, in batches of the DAMSM batch size (and the oracle's ceiling).
  let damsm: DamsmSums | undefined;
  if (metrics.has('damsm')) {
    const ds = await openDataset({ ...opts.dataset, imageSizes: model.data.imageSizes, augment: false });
    const batchSize = Math.min(model.damsmBatchSize, ds.size);
    const passes = damsmPasses(ds.size, batchSize);
    protocol.damsm = { batchSize, passes, encoders: enc.source };
    const truth = opts.dataset.kind === 'synthbirds' ? attributesByKey(opts.dataset.synth) : undefined;
    damsm = await damsmRecall(enc, ds, {
      batchSize, passes, seed: opts.seed, shard: opts.shard, vocab: model.vocab,
      ...(truth ? { truth: truth as unknown as Map<string, Readonly<Record<string, string>>> } : {}),
    });
    await ds.close();
  }

  const partial: PartialResult = {
    format: 'attnc-eval-partial',
    version: 1,
    protocol,
    shard: opts.shard,
    generated: items.length,
    realImages,
    ...(rp ? { rprecision: rp.toJSON() } : {}),
    ...(is ? { is: is.toJSON() } : {}),
    ...(genStats ? { fid: { generated: 'fid-generated.bin', real: 'fid-real.bin' } } : {}),
    ...(attrGen ? { attributes: { generated: attrGen, real: attrReal! } } : {}),
    ...(attention ? { attention: { ...attention, segmenter: opts.segmenter!.score } } : {}),
    ...(damsm ? { damsm } : {}),
    ...(floorStats ? { fidFloor: 'fid-train.bin' } : {}),
    examples,
    unknownWords,
    seconds: (performance.now() - t0) / 1000,
  };
  if (genStats) {
    fs.writeFileSync(path.join(outDir, 'fid-generated.bin'), genStats.toBytes());
    fs.writeFileSync(path.join(outDir, 'fid-real.bin'), realStats!.toBytes());
  }
  if (floorStats) fs.writeFileSync(path.join(outDir, 'fid-train.bin'), floorStats.toBytes());
  if (attrGen) fs.writeFileSync(path.join(outDir, ATTRIBUTES_FILE), attributeLines.map((l) => l + '\n').join(''));
  fs.writeFileSync(path.join(outDir, PARTIAL_FILE), JSON.stringify(partial, null, 2) + '\n');
  return partial;
}

/** Hits of one batch: the image's global feature against its caption and the mismatched ones. */
function rPrecisionHits(enc: Pick<ModelNetworks, 'textEncoder' | 'imageEncoder'>, images: tf.Tensor4D, batch: readonly EvalItem[], split: readonly SplitImage[], wordsNum: number): boolean[] {
  const C = 1 + batch[0]!.mismatched.length;
  const captions = batch.flatMap((it) => [it.ids, ...it.mismatched.map((m) => split[m.image]!.captions[m.caption]!.slice(0, wordsNum))]);
  const [img, cand] = tf.tidy(() => {
    // Both image encoders resize to their own input size (CNN: inputSize, Inception: 299).
    const { global, regions } = enc.imageEncoder.apply(images, false);
    regions.dispose();
    const { tokens, lengths } = tokenTensor(captions);
    const { sentence, words } = enc.textEncoder.apply(tokens, lengths, false);
    words.dispose();
    return [global, tf.reshape(sentence, [batch.length, C, sentence.shape[1]]) as tf.Tensor3D] as const;
  });
  const hits = rankHits(img, cand);
  tf.dispose([img, cand]);
  return hits;
}

export function readPartial(dir: string): PartialResult {
  const file = path.join(dir, PARTIAL_FILE);
  let j: PartialResult;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8')) as PartialResult;
  } catch (e) {
    throw new AttncError('ATTNC_EVAL_PARTIAL', `${file}: missing or not JSON`, { path: file, cause: e, hint: 'each --merge folder must hold the output of one `attnc eval --shard k/n` run' });
  }
  if (j?.format !== 'attnc-eval-partial' || j.version !== 1) throw new AttncError('ATTNC_EVAL_PARTIAL', `${file}: not an attnc eval partial result (version 1)`, { path: file });
  return j;
}
