import { MemoryStage } from '../blocks/memory-stage.js';
import { WordAttention, type MaskMode } from '../blocks/word-attention.js';
import type { Module } from '../nn/module.js';
import { AttncError } from '../util/errors.js';

/**
 * Behaviour switches that a checkpoint's weights need (its manifest's `options`), applied to a
 * freshly built generator by whoever runs the weights (`attnc sample`, `attnc eval`). Today:
 * `attention_mask` — `original_bug` for the AttnGAN authors' weights (`attnc import` sets it),
 * which were trained with GlobalAttention.py's mask tiling (docs/original.md §4).
 */
export function applyCheckpointOptions(generator: Module, options: Readonly<Record<string, string>>, source = 'checkpoint'): string[] {
  const notes: string[] = [];
  const mask = options.attention_mask;
  if (mask !== undefined) {
    if (mask !== 'correct' && mask !== 'original_bug') {
      throw new AttncError('ATTNC_CHECKPOINT', `${source}: options.attention_mask is "${mask}", not correct or original_bug`, { path: source });
    }
    const n = setAttentionMaskMode(generator, mask);
    if (mask === 'original_bug' && n > 0) notes.push(`attention mask: original_bug (the original's mask tiling, GlobalAttention.py:105) in ${n} attention stage${n > 1 ? 's' : ''}`);
  }
  return notes;
}

/** Sets every word-attention block and DM-GAN memory stage of `generator` to `mode`; returns how many there are. */
export function setAttentionMaskMode(generator: Module, mode: MaskMode): number {
  let n = 0;
  for (const [, m] of generator.namedModules()) {
    if (m instanceof WordAttention || m instanceof MemoryStage) {
      m.maskMode = mode;
      n++;
    }
  }
  return n;
}
