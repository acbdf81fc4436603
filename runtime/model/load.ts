/**
 * Loading generated model code and checkpoints: what `attnc train`, `sample`, `eval`, `import` and
 * `export` share. A generated folder is imported as a module (the CLI runs TypeScript directly) and
 * hands over its `model` (runtime/model/contract.ts); a checkpoint names the folder it came from,
 * and its spec hash must match the folder's. Node-only (files, dynamic import).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDataset } from '../data/dataset.js';
import { Vocabulary } from '../data/vocab.js';
import { readCheckpointJson, readManifest, resolveCheckpoint, type CheckpointManifest } from '../io/checkpoint.js';
import { loadWeights } from '../nn/weights.js';
import { AttncError } from '../util/errors.js';
import { shownPath } from '../util/shown-path.js';
import { applyCheckpointOptions } from './checkpoint-options.js';
import type { GeneratedModel, InferenceModel, ModelNetworks } from './contract.js';
import { evalDatasetConfig } from './data.js';
import { inferenceModel } from './inference.js';
import { LIVE_GENERATOR_FILE, networkFiles } from './networks.js';

export interface LoadedGenerated {
  dir: string;
  gen: GeneratedModel;
}

/** Imports `<dir>/index.ts` (or index.js) of a generated model folder and returns its `model`. */
export async function loadGenerated(dir: string): Promise<LoadedGenerated> {
  const abs = path.resolve(dir);
  if (/\.ya?ml$/i.test(dir)) {
    throw new AttncError('ATTNC_USAGE_GENERATED', `${dir} is a spec; train, sample and eval take its generated folder`, { hint: `run \`attnc compile ${dir}\` first, then pass generated/<name>` });
  }
  const entry = ['index.ts', 'index.js'].map((f) => path.join(abs, f)).find((f) => fs.existsSync(f));
  if (!entry || !fs.existsSync(path.join(abs, 'manifest.json'))) {
    throw new AttncError('ATTNC_USAGE_GENERATED', `${dir}: not a generated model folder (no index.ts and manifest.json)`, { path: dir, hint: 'pass the folder `attnc compile <spec>` wrote, e.g. generated/tiny' });
  }
  // The compile's type check proved `model` satisfies GeneratedModel; an older attnc wrote none.
  const mod = (await import(pathToFileURL(entry).href)) as { model?: GeneratedModel };
  if (!mod.model) throw new AttncError('ATTNC_USAGE_GENERATED', `${dir}: generated code has no \`model\`; it was written by an older attnc`, { path: dir, hint: 'regenerate it with `attnc compile <spec>`' });
  return { dir: abs, gen: mod.model };
}

/** The generated folder of a shipped spec name (`generated/<name>/` of this package). */
export async function importGenerated(name: string): Promise<GeneratedModel> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new AttncError('ATTNC_USAGE_GENERATED', `spec name ${JSON.stringify(name)} is not a generated folder name`);
  return (await loadGenerated(fileURLToPath(new URL(`../../generated/${name}`, import.meta.url)))).gen;
}

/** Whether a checkpoint's `netG.safetensors` holds the EMA average (then netG_live holds the live weights). */
export function generatorIsEma(manifest: CheckpointManifest): boolean {
  return manifest.networks['netG.safetensors']?.weights === 'ema';
}

/**
 * Loads every network file a checkpoint has into `model` (strict). `live`: G from its live weights
 * when the checkpoint also has them (to continue training), else netG.safetensors (EMA for sampling).
 * Then applies the behaviour switches the weights need (the manifest's `options`).
 */
export function loadCheckpointNetworks(model: ModelNetworks, dir: string, manifest: CheckpointManifest, options: { live?: boolean } = {}): string[] {
  for (const { file, module } of networkFiles(model)) {
    const use = options.live && file === 'netG.safetensors' && manifest.files[LIVE_GENERATOR_FILE] ? LIVE_GENERATOR_FILE : file;
    if (!manifest.files[use]) continue;
    loadWeights(module, dir, { checkpointFile: use });
  }
  return applyCheckpointOptions(model.generator, manifest.options, dir);
}

/** A checkpoint's vocabulary (`vocab.json`, checksum verified). */
export function checkpointVocabulary(dir: string, manifest: CheckpointManifest): Vocabulary {
  return Vocabulary.fromJSON(readCheckpointJson(dir, manifest, 'vocab.json'), path.join(dir, 'vocab.json'));
}

export interface LoadedCheckpoint {
  checkpoint: string;
  manifest: CheckpointManifest;
  gen: GeneratedModel;
  generatedDir: string;
  model: ModelNetworks;
  vocab: Vocabulary;
  /** Whether netG holds EMA weights. */
  ema: boolean;
}

/**
 * A run folder or checkpoint → its generated model with every network's weights loaded (G with the
 * EMA weights when the checkpoint has them). `generated` overrides the folder the manifest names.
 */
export async function loadCheckpointModel(where: string, options: { generated?: string } = {}): Promise<LoadedCheckpoint> {
  const checkpoint = resolveCheckpoint(where);
  const manifest = readManifest(checkpoint);
  const generatedDir = options.generated ?? manifest.generated;
  if (!generatedDir) {
    throw new AttncError('ATTNC_CHECKPOINT', `${checkpoint}: the checkpoint does not say which generated model it belongs to`, { path: checkpoint, hint: 'pass --generated <folder> (the output of `attnc compile` for its spec)' });
  }
  const { gen } = await loadGenerated(generatedDir);
  if (gen.SPEC.sha256 !== manifest.spec.sha256) {
    throw new AttncError('ATTNC_CHECKPOINT_SPEC', `${checkpoint} was written for spec ${manifest.spec.name} (sha256 ${manifest.spec.sha256.slice(0, 12)}…), ${generatedDir} is ${gen.SPEC.name} (sha256 ${gen.SPEC.sha256.slice(0, 12)}…)`, {
      path: checkpoint,
      hint: `recompile ${manifest.spec.file} or pass --generated with its folder; \`attnc diff\` shows what differs`,
    });
  }
  const vocab = checkpointVocabulary(checkpoint, manifest);
  const model = gen.createModel({ vocabSize: vocab.size, seed: manifest.seed });
  try {
    loadCheckpointNetworks(model, checkpoint, manifest);
  } catch (e) {
    gen.disposeModel(model);
    throw e;
  }
  return { checkpoint, manifest, gen, generatedDir: path.resolve(generatedDir), model, vocab, ema: generatorIsEma(manifest) };
}

/**
 * A generated model with initial weights and its dataset's vocabulary: the untrained baseline
 * (what benchmarks and tests sample from).
 */
export async function loadUntrained(gen: GeneratedModel, source: string, seed = 0): Promise<InferenceModel> {
  const data = gen.plan.data;
  const ds = await openDataset(evalDatasetConfig(data, 'train', data.imageSizes.at(-1)!));
  const vocab = ds.vocab;
  await ds.close();
  return inferenceModel(gen, vocab, { seed, source: `${source} (untrained: initial weights, seed ${seed})`, generatorWeights: 'init' });
}

/**
 * A run folder, its checkpoints/ or one checkpoint folder → the model with the checkpoint's
 * weights (netG.safetensors: the EMA generator when the manifest says so) and vocabulary.
 * `generated` overrides the model folder the manifest names.
 */
export async function loadCheckpointForInference(target: string, generated?: string): Promise<InferenceModel> {
  const loaded = await loadCheckpointModel(target, generated === undefined ? {} : { generated });
  const label = shownPath(loaded.checkpoint);
  return inferenceModel(loaded.gen, loaded.vocab, {
    model: loaded.model,
    source: `${label} (${loaded.manifest.phase} step ${loaded.manifest.progress.step})`,
    generatorWeights: loaded.manifest.files['netG.safetensors'] ? (loaded.ema ? 'ema' : 'live') : 'init',
  });
}
