/**
 * Facts derived from a resolved spec that both validation and lowering need, kept in one place so
 * the rule that checks a key and the lowering that reads it cannot disagree.
 */
import type { ResolvedSpec } from './types.js';

/** Image sizes that get a discriminator: one per head (per_stage) or only the last. */
export function discriminatorSizes(spec: ResolvedSpec): number[] {
  const sizes = spec.generator.stages.map((s) => s.size);
  return spec.discriminators.per_stage && spec.generator.heads === 'all' ? sizes : [sizes[sizes.length - 1]!];
}

/** Whether the discriminator of `size`-pixel images is spectrally normalised (`spectral_norm`: a flag or a list of sizes). */
export function spectralNormAt(spec: ResolvedSpec, size: number): boolean {
  const sn = spec.discriminators.spectral_norm;
  return typeof sn === 'boolean' ? sn : sn.includes(size);
}
