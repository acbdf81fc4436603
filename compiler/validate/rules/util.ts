import type { ResolvedSpec } from '../../schema/types.js';

/** Size of the stage the DAMSM loss sees, or undefined without a damsm term / with a bad index. */
export function damsmStageSize(spec: ResolvedSpec): number | undefined {
  const stages = spec.generator.stages;
  const damsm = spec.losses.find((l) => l.type === 'damsm');
  if (!damsm || damsm.type !== 'damsm') return stages[stages.length - 1]?.size;
  const idx = damsm.stage === 'last' ? stages.length - 1 : damsm.stage;
  return stages[idx]?.size;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
