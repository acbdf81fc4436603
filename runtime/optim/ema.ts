import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';

/**
 * Exponential moving average of a module's parameters (`avg ← decay·avg + (1−decay)·θ`), as
 * AttnGAN keeps for G (`avg_param_G`, decay 0.999). Buffers (BN running stats) are not averaged,
 * as in the original.
 */
export class ParameterEma {
  private readonly params: Array<[string, tf.Variable]>;
  private readonly averages: tf.Variable[];

  constructor(module: Module, readonly decay: number) {
    this.params = module.namedParameters();
    this.averages = this.params.map(([, p]) => tf.tidy(() => tf.variable(p.clone() as tf.Tensor, false)));
  }

  update(): void {
    tf.tidy(() => {
      this.params.forEach(([, p], i) => {
        const a = this.averages[i]!;
        a.assign(tf.add(tf.mul(a, this.decay), tf.mul(p, 1 - this.decay)));
      });
    });
  }

  /** The averages by parameter name (what checkpoints of G store). */
  named(): Array<[string, tf.Variable]> {
    return this.params.map(([n], i) => [n, this.averages[i]!]);
  }

  /** Copy the averages into the module's parameters (for sampling with the EMA weights). */
  copyTo(module: Module): void {
    const byName = new Map(module.namedParameters());
    for (const [n, a] of this.named()) byName.get(n)?.assign(a);
  }

  dispose(): void {
    for (const a of this.averages) a.dispose();
  }
}
