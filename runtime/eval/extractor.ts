import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { InceptionV3Trunk } from '../encoders/inception.js';
import { Linear } from '../nn/layers.js';
import { loadWeights, openWeights } from '../nn/weights.js';
import { AttncError } from '../util/errors.js';
import { AttributeClassifier, CLASSIFIER_FEATURES } from './attribute-classifier.js';

/**
 * Where FID features and IS class probabilities come from. The report prints `name` and
 * `description`, so numbers from a substitute extractor are never mistaken for the paper's.
 */
export interface FeatureExtractor {
  readonly name: string;
  readonly description: string;
  /** Feature size for FID. */
  readonly dim: number;
  /** Classes of the IS probabilities. */
  readonly classes: number;
  /** images [B, H, W, 3] in [−1, 1] → features [B, dim] and class probabilities [B, classes]. */
  apply(images: tf.Tensor4D): { features: tf.Tensor2D; probs: tf.Tensor2D };
  dispose(): void;
}

/** The synthetic-bird attribute classifier as extractor: 128-d features, 729 colour-triple classes. */
export function classifierExtractor(c: AttributeClassifier): FeatureExtractor {
  return {
    name: 'attnc-attribute-classifier',
    description:
      `attnc's synthetic-bird attribute classifier (trained on real train-split images, cached at ${c.cachedAt ?? 'memory'}): ` +
      `FID on its ${CLASSIFIER_FEATURES}-d penultimate layer, IS over the 729 colour-triple classes p(wing)·p(belly)·p(crown). ` +
      'Not comparable with Inception-v3 numbers from papers',
    dim: CLASSIFIER_FEATURES,
    classes: 729,
    apply(images) {
      return tf.tidy(() => {
        const { heads, features } = c.predict(images);
        return { features, probs: AttributeClassifier.classProbs(heads) };
      });
    },
    dispose() {},
  };
}

/** torchvision's Inception-v3 (trunk + `fc`), for FID on pool3 (2048-d) and IS on the 1000 ImageNet classes. */
class InceptionClassifier extends InceptionV3Trunk {
  readonly fc: Linear;
  constructor(classes: number) {
    super();
    this.fc = this.addModule('fc', new Linear({ inFeatures: 2048, outFeatures: classes, bias: true }));
  }
}

/**
 * Inception-v3 from a weights file with torchvision's names (`Conv2d_1a_3x3.conv.weight`, …,
 * `fc.weight`, `fc.bias`; the AuxLogits branch is ignored): torchvision's own `.pth` (read by
 * runtime/io/pth.ts, nothing executed) or a `.safetensors` copy. Nothing is downloaded. Images are
 * resized bilinearly to 299 and fed in [−1, 1], as pytorch-fid does.
 */
export function inceptionExtractor(file: string): FeatureExtractor {
  if (!fs.existsSync(file)) throw new AttncError('ATTNC_EVAL_WEIGHTS', `${file}: Inception-v3 weights not found`, { path: file });
  if (!/\.(pth|pt|safetensors)$/i.test(file)) throw new AttncError('ATTNC_EVAL_WEIGHTS', `${file}: expected torchvision's inception_v3 state dict as .pth or .safetensors`, { path: file });
  const source = openWeights(file);
  const classes = source.entries.find((e) => e.name.replace(/^module\./, '') === 'fc.weight')?.shape[0];
  if (classes === undefined) throw new AttncError('ATTNC_EVAL_WEIGHTS', `${file}: no fc.weight — not an Inception-v3 classifier state dict`, { path: file });
  const net = new InceptionClassifier(classes);
  try {
    loadWeights(net, source, { dropUnexpected: /^AuxLogits\./ });
  } catch (e) {
    net.dispose();
    throw e;
  }
  return {
    name: 'inception-v3',
    description: `Inception-v3 (torchvision layout) from ${file}: FID on the 2048-d pool3 features, IS over its ${classes} classes; images resized to 299 and fed in [−1, 1]`,
    dim: 2048,
    classes,
    apply(images) {
      return tf.tidy(() => {
        const x = tf.image.resizeBilinear(images, [299, 299]);
        const { pooled } = net.trunk(x, false);
        return { features: pooled, probs: tf.softmax(net.fc.apply(pooled)) as tf.Tensor2D };
      });
    },
    dispose() {
      net.dispose();
    },
  };
}
