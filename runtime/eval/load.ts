import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset, type DatasetConfig } from '../data/dataset.js';
import { Vocabulary } from '../data/vocab.js';
import { importState } from '../nn/state.js';
import { readCheckpointJson, readCheckpointTensors, readManifest, resolveCheckpoint } from '../train/checkpoint.js';
import type { DataPlan } from '../train/plan.js';
import { AttncError } from '../util/errors.js';
import type { GeneratedModelModule, InferenceNetworks } from './from-generated.js';
import { inferenceModelFromGenerated } from './from-generated.js';
import type { InferenceModel } from './generate.js';

/** The `openDataset` config of one split of a training plan's data, for evaluation (no augmentation, one size). */
export function evalDatasetConfig(data: DataPlan, split: string, imageSize: number, baseDir = process.cwd()): DatasetConfig {
  const common = {
    split, capsPerImage: data.capsPerImage, wordsNum: data.wordsNum, longCaptions: data.longCaptions, imageSizes: [imageSize],
    augment: false as const, resizeRatio: data.augmentation.resizeRatio, onBadFile: 'error' as const, seed: 0,
  };
  const d = data.dataset;
  switch (d.kind) {
    case 'synthbirds':
      return { ...common, kind: 'synthbirds', synth: { images: d.images, seed: d.seed, testFraction: d.testFraction, heldoutFraction: d.heldoutFraction } };
    case 'cub':
      return { ...common, kind: 'cub', root: path.resolve(baseDir, d.root), bboxCrop: d.bboxCrop };
    case 'coco':
      return { ...common, kind: 'coco', root: path.resolve(baseDir, d.root) };
    case 'custom':
      return { ...common, kind: 'custom', root: path.resolve(baseDir, d.root), imagesDir: d.imagesDir, textDir: d.textDir, imageExt: d.imageExt, listClassIds: d.classIds };
  }
}

export type AnyGenerated = GeneratedModelModule<InferenceNetworks>;

/** The generated module of a compiled spec name (`generated/<name>/`). */
export async function importGenerated(name: string): Promise<AnyGenerated> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new AttncError('ATTNC_SPEC_NAME', `spec name ${JSON.stringify(name)} is not a generated folder name`);
  const url = new URL(`../../generated/${name}/index.js`, import.meta.url);
  if (!fs.existsSync(new URL(`../../generated/${name}/index.ts`, import.meta.url)) && !fs.existsSync(url)) {
    throw new AttncError('ATTNC_GENERATED_MISSING', `generated/${name}/ does not exist`, { hint: `compile the spec first: attnc compile spec/${name}.yaml` });
  }
  return (await import(url.href)) as AnyGenerated;
}

/**
 * A generated model with initial weights and its dataset's vocabulary: the untrained baseline
 * (what benchmarks and tests sample from). Checkpoints go through the training checkpoint loader.
 */
export async function loadUntrained(mod: AnyGenerated, source: string, seed = 0): Promise<InferenceModel> {
  const data = mod.plan.data;
  const ds = await openDataset(evalDatasetConfig(data, 'train', data.imageSizes.at(-1)!));
  const vocab = ds.vocab;
  await ds.close();
  return inferenceModelFromGenerated(mod, vocab, { seed, source: `${source} (untrained: initial weights, seed ${seed})`, generatorWeights: 'init' });
}

/**
 * A run folder, its checkpoints/ or one checkpoint folder → the model with the checkpoint's
 * weights (netG.safetensors: the EMA generator when the manifest says so) and vocabulary.
 * The model code is the generated folder of the checkpoint's spec name; a spec hash that differs
 * from the generated code's is reported through `warn` (the strict weight load still catches shape changes).
 */
export async function loadCheckpointModel(target: string, warn: (line: string) => void = () => {}): Promise<InferenceModel & { checkpoint: string }> {
  const dir = resolveCheckpoint(target);
  const manifest = readManifest(dir);
  const mod = await importGenerated(manifest.spec.name);
  if (mod.plan.specHash !== manifest.spec.sha256) {
    warn(`${dir}: written from a spec with sha256 ${manifest.spec.sha256.slice(0, 12)}…, generated/${manifest.spec.name}/ is from ${mod.plan.specHash.slice(0, 12)}…`);
  }
  if (!('vocab.json' in manifest.files)) throw new AttncError('ATTNC_CHECKPOINT', `${dir}: no vocab.json in the checkpoint`, { path: dir, hint: 'checkpoints written by `attnc train` carry their vocabulary' });
  const vocab = Vocabulary.fromJSON(readCheckpointJson(dir, manifest, 'vocab.json'), path.join(dir, 'vocab.json'));
  const networks = mod.createModel({ vocabSize: vocab.size, seed: manifest.seed });
  let generatorWeights: InferenceModel['generatorWeights'] = 'init';
  try {
    const modules: Record<string, InferenceNetworks[keyof InferenceNetworks]> = {
      text_encoder: networks.textEncoder,
      image_encoder: networks.imageEncoder,
      generator: networks.generator,
    };
    for (const [file, info] of Object.entries(manifest.networks)) {
      const module = modules[info.network];
      if (!module) continue; // discriminators are not needed to sample
      importState(module, readCheckpointTensors(dir, manifest, file), { source: path.join(dir, file) });
      if (info.network === 'generator') generatorWeights = info.weights;
    }
  } catch (e) {
    mod.disposeModel(networks);
    throw e;
  }
  const label = path.relative(process.cwd(), dir) || dir;
  return {
    ...inferenceModelFromGenerated(mod, vocab, { model: networks, source: `${label} (${manifest.phase} step ${manifest.progress.step})`, generatorWeights }),
    checkpoint: dir,
  };
}
