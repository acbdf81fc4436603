/**
 * Loading generated model code and checkpoints: what `attnc train`, `sample`, `eval` and `export`
 * share. A generated folder is imported as a module (the CLI runs TypeScript directly); a
 * checkpoint names the folder it came from, and its spec hash must match the folder's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Vocabulary } from '../data/vocab.js';
import { AttncError } from '../util/errors.js';
import { importState } from '../nn/state.js';
import { readCheckpointJson, readCheckpointTensors, readManifest, resolveCheckpoint, type CheckpointManifest } from '../io/checkpoint.js';
import type { GeneratedModel, RuntimeModel } from './contract.js';
import { networkFiles } from './networks.js';
import { applyCheckpointOptions } from './checkpoint-options.js';

export interface LoadedGenerated {
  dir: string;
  gen: GeneratedModel;
}

/** Imports `<dir>/index.ts` (or index.js) of a generated model folder. */
export async function loadGenerated(dir: string): Promise<LoadedGenerated> {
  const abs = path.resolve(dir);
  if (/\.ya?ml$/i.test(dir)) {
    throw new AttncError('ATTNC_USAGE_GENERATED', `${dir} is a spec; train, sample and eval take its generated folder`, { hint: `run \`attnc compile ${dir}\` first, then pass generated/<name>` });
  }
  const entry = ['index.ts', 'index.js'].map((f) => path.join(abs, f)).find((f) => fs.existsSync(f));
  if (!entry || !fs.existsSync(path.join(abs, 'manifest.json'))) {
    throw new AttncError('ATTNC_USAGE_GENERATED', `${dir}: not a generated model folder (no index.ts and manifest.json)`, { path: dir, hint: 'pass the folder `attnc compile <spec>` wrote, e.g. generated/tiny' });
  }
  const mod = (await import(pathToFileURL(entry).href)) as Partial<GeneratedModel>;
  for (const k of ['SPEC', 'plan', 'createModel', 'damsmStep', 'ganStep', 'sample'] as const) {
    if (!(k in mod)) throw new AttncError('ATTNC_USAGE_GENERATED', `${dir}: generated code has no \`${k}\`; it was written by an older attnc`, { path: dir, hint: 'regenerate it with `attnc compile <spec>`' });
  }
  return { dir: abs, gen: mod as GeneratedModel };
}

export interface LoadedCheckpoint<M extends RuntimeModel = RuntimeModel> {
  checkpoint: string;
  manifest: CheckpointManifest;
  gen: GeneratedModel<M>;
  generatedDir: string;
  model: M;
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
  const vocabJson = readCheckpointJson(checkpoint, manifest, 'vocab.json');
  const vocab = Vocabulary.fromJSON(vocabJson as never, path.join(checkpoint, 'vocab.json'));
  const model = gen.createModel({ vocabSize: vocab.size, seed: manifest.seed });
  try {
    for (const { file, module } of networkFiles(model)) {
      if (!manifest.files[file]) continue;
      importState(module, readCheckpointTensors(checkpoint, manifest, file), { source: path.join(checkpoint, file) });
    }
    // Behaviour the weights need, e.g. the original's attention mask for imported AttnGAN weights.
    applyCheckpointOptions(model.generator, manifest.options, checkpoint);
  } catch (e) {
    gen.disposeModel(model);
    throw e;
  }
  return { checkpoint, manifest, gen, generatedDir: path.resolve(generatedDir), model, vocab, ema: manifest.networks['netG.safetensors']?.weights === 'ema' };
}
