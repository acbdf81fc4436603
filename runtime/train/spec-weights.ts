/**
 * The spec's `weights:` files, loaded into a fresh model before training (a run that resumes loads
 * its checkpoint instead): safetensors, attnc checkpoint folders, or the original's `.pth` files,
 * all through runtime/nn/weights.ts.
 */
import type { ModelNetworks } from '../model/contract.js';
import { epochInFileName, type NetworkKey } from '../model/networks.js';
import type { WeightsPlan } from '../model/plan.js';
import { loadWeights } from '../nn/weights.js';
import type { LoadOptions } from '../nn/state.js';

export function loadSpecWeights(w: WeightsPlan, model: ModelNetworks, log: (line: string) => void): void {
  const load = (file: string | null, module: ModelNetworks[keyof Omit<ModelNetworks, 'discriminators'>], what: string, checkpointFile: string, options: LoadOptions = {}) => {
    if (!file) return;
    const r = loadWeights(module, file, { ...options, checkpointFile });
    log(r.format === 'zip' || r.format === 'legacy' ? `loaded ${what} weights from ${file} (${r.format} .pth, ${r.loaded.length} tensors)` : `loaded ${what} weights from ${file}`);
  };
  load(w.textEncoder, model.textEncoder, 'text encoder', 'text_encoder.safetensors');
  // torchvision's ImageNet Inception-v3 for the trunk; the image encoder's own file (below) overrides it.
  load(w.imageEncoderTrunk, model.imageEncoder, 'image encoder trunk', 'image_encoder.safetensors', {
    dropUnexpected: /^(AuxLogits|fc)\./,
    allowMissing: /^emb_(features|cnn_code)\./,
  });
  load(w.imageEncoder, model.imageEncoder, 'image encoder', 'image_encoder.safetensors', { partial: w.imageEncoderTrunk !== null });
  load(w.generator, model.generator, 'generator', 'netG.safetensors');
}

/** The encoders' epochs in the original's file names of the spec's weights (`text_encoder200.pth` → 200). */
export function specWeightEpochs(w: WeightsPlan): Partial<Record<NetworkKey, number>> {
  const out: Partial<Record<NetworkKey, number>> = {};
  for (const [network, file] of [['text_encoder', w.textEncoder], ['image_encoder', w.imageEncoder]] as const) {
    const epoch = file === null ? undefined : epochInFileName(file);
    if (epoch !== undefined) out[network] = epoch;
  }
  return out;
}
