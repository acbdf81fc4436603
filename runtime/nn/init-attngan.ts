import type { Module } from './module.js';
import type { Rng } from '../util/rng.js';

/**
 * AttnGAN's `weights_init` (`miscc/utils.py:286-296`, docs/original.md §6), applied to G and every D:
 * Conv and Linear weights orthogonal (gain 1), Linear bias 0, BatchNorm weight ~ N(1, 0.02), bias 0.
 * Conv biases are left at PyTorch's default init (the original does not touch them). Every other
 * parameter and buffer is re-drawn with its own registered initializer, so the whole module is a
 * function of the seed. Each tensor uses `rng.fork(<dotted name>)`.
 *
 * (Its own file: it needs `Module`, whose file needs `init.ts`.)
 */
export function initLikeAttnGAN(module: Module, rng: Rng): void {
  module.resetParameters(rng, (role, localName) => {
    if ((role === 'conv' || role === 'linear') && localName === 'weight') return { kind: 'orthogonal', gain: 1 };
    // DM-GAN's weights_init: a spectrally normalised conv's kernel is `weight_bar` (its u, v keep their own init).
    if (role === 'conv' && localName === 'weight_bar') return { kind: 'orthogonal', gain: 1 };
    if (role === 'linear' && localName === 'bias') return 'zeros';
    if (role === 'batchnorm' && localName === 'weight') return { kind: 'normal', mean: 1, std: 0.02 };
    if (role === 'batchnorm' && localName === 'bias') return 'zeros';
    return undefined;
  });
}
