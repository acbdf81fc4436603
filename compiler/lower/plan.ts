/**
 * Lowers the spec's `data`, `train` cadence, `weights` and `evaluation` sections into the training
 * plan (runtime/model/plan.ts): what the trainer executes. Every key lands here or in the
 * networks/phases, so none is accepted and then ignored.
 */
import type { ResolvedSpec } from '../schema/types.js';
import type { DataPlan, EvaluationPlan, MetricPlan, TrainingPlan, WeightsPlan } from '../../runtime/model/plan.js';

function dataPlan(d: ResolvedSpec['data']): DataPlan {
  const ds = d.dataset;
  const dataset: DataPlan['dataset'] = (() => {
    switch (ds.kind) {
      case 'synthbirds':
        return { kind: 'synthbirds', images: ds.images, seed: ds.seed, testFraction: ds.test_fraction, heldoutFraction: ds.heldout_fraction };
      case 'cub':
        return { kind: 'cub', root: ds.root, bboxCrop: ds.bbox_crop };
      case 'coco':
        return { kind: 'coco', root: ds.root };
      case 'custom':
        return { kind: 'custom', root: ds.root, imagesDir: ds.images_dir, textDir: ds.text_dir, imageExt: ds.image_ext, classIds: ds.class_ids };
    }
  })();
  return {
    dataset,
    capsPerImage: d.captions_per_image,
    wordsNum: d.words_num,
    longCaptions: d.long_captions,
    imageSizes: [...d.image_sizes],
    augmentation: { resizeRatio: d.augmentation.resize_ratio, randomCrop: d.augmentation.random_crop, horizontalFlip: d.augmentation.horizontal_flip },
  };
}

function evaluationPlan(e: ResolvedSpec['evaluation']): EvaluationPlan {
  const metrics = e.metrics.map((m): MetricPlan => {
    switch (m.type) {
      case 'r_precision':
        return { type: 'r_precision', candidates: m.candidates, folds: m.folds, samples: m.samples };
      case 'fid':
        return { type: 'fid', extractor: m.extractor, weights: m.weights, samples: m.samples };
      case 'inception_score':
        return { type: 'inception_score', extractor: m.extractor, weights: m.weights, splits: m.splits, samples: m.samples };
    }
  });
  return {
    batchSize: e.batch_size,
    metrics,
    sampling: { repeats: e.sampling.repeats, captionsFile: e.sampling.captions_file, attentionMaps: e.sampling.attention_maps },
  };
}

function weightsPlan(spec: ResolvedSpec): WeightsPlan {
  const img = spec.image_encoder;
  return {
    textEncoder: spec.text_encoder.weights,
    imageEncoder: img.weights,
    imageEncoderTrunk: img.type === 'inception_v3' ? img.trunk_weights : null,
    generator: spec.generator.weights,
  };
}

export function lowerPlan(spec: ResolvedSpec, specFile: string, specHash: string): TrainingPlan {
  const { damsm, gan } = spec.train;
  return {
    name: spec.name,
    specFile,
    specHash,
    // No conditioning augmentation, no ε (DF-GAN); truncation applies to sampling noise only.
    noise: { z: spec.generator.z_dim, condition: spec.generator.conditioning_augmentation ? spec.generator.condition_dim : 0, truncation: spec.evaluation.sampling.truncation },
    data: dataPlan(spec.data),
    phases: {
      damsm: {
        enabled: damsm.enabled,
        batchSize: damsm.batch_size,
        epochs: damsm.epochs,
        seed: damsm.seed,
        snapshotInterval: damsm.snapshot_interval,
        logEvery: damsm.log_every,
        resetOptimizerEachEpoch: damsm.optimizer.reset_each_epoch,
        ...(spec.image_encoder.type === 'cnn' && spec.image_encoder.part_loss ? { partGrid: spec.image_encoder.local_size } : {}),
        ...(spec.losses.some((l) => l.type === 'damsm' && (l.part_words?.pretrain_weight ?? 0) > 0) ? { wordParts: true } : {}),
      },
      gan: {
        enabled: gan.enabled,
        batchSize: gan.batch_size,
        epochs: gan.epochs,
        seed: gan.seed,
        snapshotInterval: gan.snapshot_interval,
        logEvery: gan.log_every,
        sampleEvery: gan.sample_every,
        ...(spec.losses.some((l) => l.type === 'damsm' && (l.part_words?.weight ?? 0) > 0 && l.lambda > 0) ? { wordParts: true } : {}),
      },
    },
    weights: weightsPlan(spec),
    evaluation: evaluationPlan(spec.evaluation),
  };
}
