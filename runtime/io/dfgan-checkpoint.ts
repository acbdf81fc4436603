import { openPth, readPthFileBytes, type PthArchive, type PthReadOptions } from './pth.js';
import { writeNestedPth, type PthWriteTensor } from './pth-write.js';

/** The networks of DF-GAN's `state_epoch_<n>.pth` (tobran/DF-GAN `code/lib/utils.py` save_models). */
export const DFGAN_NETWORKS = ['netG', 'netD', 'netC'] as const;
export type DfganNetwork = (typeof DFGAN_NETWORKS)[number];

/**
 * Opens one network's state_dict inside a DF-GAN checkpoint: `{model: {netG, netD, netC},
 * optimizers: {…}, epoch}`. Only `model.<network>` is described; the optimizer states are skipped.
 */
export function openDfganNetwork(bytes: Uint8Array, network: DfganNetwork, file = '<pth>', opts: Omit<PthReadOptions, 'at'> = {}): PthArchive {
  return openPth(bytes, file, { ...opts, at: ['model', network] });
}

/** Writes the three networks back in DF-GAN's layout (`{model: {netG, netD, netC}, epoch}`; no optimizer states). */
export function writeDfganCheckpoint(networks: Record<DfganNetwork, PthWriteTensor[]>, epoch: number): Uint8Array {
  return writeNestedPth('model', DFGAN_NETWORKS.map((n) => [n, networks[n]]), { epoch });
}

/**
 * A generator weights file, read once: DF-GAN's checkpoint (its three networks) or a plain
 * state_dict, as AttnGAN and DM-GAN save G. A damaged file fails as any other weights file does.
 */
export function openGeneratorFile(file: string): { dfgan: Record<DfganNetwork, PthArchive> } | { plain: PthArchive } {
  const bytes = readPthFileBytes(file);
  let netG: PthArchive;
  try {
    netG = openDfganNetwork(bytes, 'netG', file);
  } catch {
    return { plain: openPth(bytes, file) };
  }
  return { dfgan: { netG, netD: openDfganNetwork(bytes, 'netD', file), netC: openDfganNetwork(bytes, 'netC', file) } };
}
