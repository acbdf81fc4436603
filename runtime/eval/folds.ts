/**
 * Fold / split membership by the sample's global index (its position in the seeded caption
 * order), not by its position in a shard, so that sharded runs fill exactly the folds one run
 * fills. The order is a seeded shuffle already, so `index mod folds` is as random as the
 * contiguous chunks of DM-GAN's evaluation loop.
 */
export function foldOf(globalIndex: number, folds: number): number {
  return globalIndex % folds;
}

/** Mean and population standard deviation (numpy's default, as the reference scripts report). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}
