/**
 * Sampling latency and evaluation throughput (runtime/eval, cli/sample-run.ts).
 *
 *   npx tsx bench/sample-eval.ts                  # tiny and attngan2 (256 px), random weights
 *   SPECS=tiny REPS=3 npx tsx bench/sample-eval.ts
 *
 * Sampling: per-image latency of captions → every stage's image (text encoder + G, eval mode) at
 * batch 1 and 16, median over REPS after a warm-up. Eval: samples/s of the R-precision pass
 * (G + DAMSM image encoder + 20 or 100 candidate captions through the text encoder) and of the
 * FID/IS pass with the DAMSM global feature as a stand-in extractor (the attribute classifier costs
 * about the same per image as the tiny encoder). Prints markdown rows for bench/README.md.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { Vocabulary } from '../runtime/data/vocab.js';
import { evaluateShard } from '../runtime/eval/evaluate.js';
import type { FeatureExtractor } from '../runtime/eval/extractor.js';
import { encodeCaption, readSample, tokenTensor } from '../runtime/eval/generate.js';
import type { InferenceModel } from '../runtime/model/contract.js';
import { evalDatasetConfig } from '../runtime/model/data.js';
import { inferenceModel } from '../runtime/model/inference.js';
import { importGenerated } from '../runtime/model/load.js';
import { drawNoise } from '../runtime/model/noise.js';
import { grammarVocabulary } from '../runtime/data/synthbirds/captions.js';

const info = await initBackend();
const REPS = Number(process.env.REPS ?? 5);
const SPECS = (process.env.SPECS ?? 'tiny,attngan2').split(',');
const caption = 'this bird has red wings and a white belly and a short beak';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function samplingMs(model: InferenceModel, batch: number): number {
  const ids = encodeCaption(caption, model.vocab, model.data.wordsNum).ids;
  const once = (g0: number) => {
    const t0 = performance.now();
    const { tokens, lengths } = tokenTensor(Array.from({ length: batch }, () => ids));
    const noise = drawNoise({ purpose: 'sample', seed: 1, indices: Array.from({ length: batch }, (_, b) => g0 + b) }, model.noise);
    readSample(model.sample(tokens, lengths, noise));
    tf.dispose([tokens, noise.z, noise.eps]);
    return performance.now() - t0;
  };
  once(0);
  const ts = Array.from({ length: REPS }, (_, r) => once(1000 * (r + 1)));
  return median(ts) / batch;
}

console.log(`backend ${info.name} (${info.libtensorflow ?? 'js'}), ${os.availableParallelism()} cores, ${os.cpus()[0]?.model}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| spec | what | result |\n|---|---|---|');
for (const name of SPECS) {
  const mod = await importGenerated(name);
  // The synthetic birds' grammar vocabulary stands in for CUB's 5,450 words (only the embedding rows differ).
  const vocab = new Vocabulary(['<end>', ...grammarVocabulary()]);
  const model = inferenceModel(mod, vocab, { seed: 1 });
  const size = model.data.imageSizes.at(-1)!;
  for (const b of [1, 16]) console.log(`| ${name} (${size} px) | sampling, batch ${b} | ${samplingMs(model, b).toFixed(0)} ms/image |`);
  if (model.data.dataset.kind === 'synthbirds') {
    const nef = tf.tidy(() => model.imageEncoder.apply(tf.zeros([1, size, size, 3]), false).global.shape[1]);
    const ext: FeatureExtractor = {
      name: 'damsm-global', description: 'bench stand-in', dim: nef, classes: nef,
      apply: (images) => tf.tidy(() => {
        const { global } = model.imageEncoder.apply(images, false);
        return { features: global, probs: tf.softmax(global) as tf.Tensor2D };
      }),
      dispose() {},
    };
    const samples = 64;
    for (const metrics of [['rprecision'], ['fid', 'is']] as const) {
      const t0 = performance.now();
      const p = await evaluateShard(model, {
        split: 'test', metrics: [...metrics], samples, batchSize: 16, seed: 0, shard: { k: 0, n: 1 }, rprecision: { candidates: 20, folds: 2 }, isSplits: 2, examples: 0,
        dataset: evalDatasetConfig(model.data, 'test', size), extractor: ext,
      }, `${os.tmpdir()}/attnc-bench-eval-${process.pid}`);
      const secs = (performance.now() - t0) / 1000;
      console.log(`| ${name} | eval ${metrics.join('+')} (${samples} generated${p.realImages ? ` + ${p.realImages} real` : ''}, batch 16) | ${(samples / secs).toFixed(1)} samples/s (${secs.toFixed(1)} s) |`);
    }
  }
  model.dispose();
}
console.log(`load at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
