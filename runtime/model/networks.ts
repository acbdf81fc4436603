/**
 * A model's networks ↔ checkpoint files (PyTorch layout, original names): the one mapping between
 * the networks and the file names the original uses (netG, netD0…, text_encoder, image_encoder);
 * train, sample, import and export all go through it.
 */
import * as tf from '@tensorflow/tfjs';
import type { TorchState } from '../io/torch-state.js';
import type { Module, TorchLayout } from '../nn/module.js';
import { fromTorchLayout, toTorchLayout } from '../nn/state.js';
import type { ParameterEma } from '../optim/ema.js';
import { AttncError } from '../util/errors.js';

/** The networks every model has, as plain modules (runtime/model/contract.ts types their calls). */
export interface NetworkSet {
  textEncoder: Module;
  imageEncoder: Module;
  generator: Module;
  discriminators: readonly Module[];
}

export type NetworkKey = 'text_encoder' | 'image_encoder' | 'generator' | `discriminator_${number}`;

/** Checkpoint file of each network, as the original names its .pth files. */
export function networkFiles(model: NetworkSet): Array<{ file: string; network: NetworkKey; module: Module }> {
  return [
    { file: 'text_encoder.safetensors', network: 'text_encoder', module: model.textEncoder },
    { file: 'image_encoder.safetensors', network: 'image_encoder', module: model.imageEncoder },
    { file: 'netG.safetensors', network: 'generator', module: model.generator },
    ...model.discriminators.map((d, i) => ({ file: `netD${i}.safetensors`, network: `discriminator_${i}` as NetworkKey, module: d })),
  ];
}

/**
 * The epoch in one of the original's weights file names (`text_encoder200.pth`, `netG_epoch_600.pth`,
 * `image_encoder200.safetensors`), or undefined when the name has none (`netD0.pth`, `bird_AttnGAN2.pth`).
 */
export function epochInFileName(file: string): number | undefined {
  const m = /(?:_epoch_|encoder)(\d+)\.(?:pth|pt|safetensors)$/.exec(file.split(/[\\/]/).pop() ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The file holding G's live weights when netG.safetensors holds the EMA average. */
export const LIVE_GENERATOR_FILE = 'netG_live.safetensors';

/** G with the EMA averages in place of its parameters (buffers stay live), as the original's saved netG. */
export function emaGeneratorState(generator: Module, ema: ParameterEma): TorchState {
  const averages = new Map(ema.named());
  const out: TorchState = new Map();
  for (const s of generator.slotInfos()) out.set(s.name, toTorchLayout(s.kind === 'param' ? averages.get(s.name)! : s.variable, s.layout));
  return out;
}

/** Copies a saved EMA state into the EMA's averages. */
export function loadEma(ema: ParameterEma, generator: Module, state: TorchState, source: string): void {
  const layouts = new Map(generator.slotInfos().map((s) => [s.name, s.layout] as const));
  for (const [name, avg] of ema.named()) {
    const t = state.get(name);
    if (!t) throw new AttncError('ATTNC_CHECKPOINT', `${source}: no EMA weight ${name}`, { path: source });
    tf.tidy(() => avg.assign(fromTorchLayout(t, layouts.get(name)!)));
  }
}

/** Which (network, parameter) each tfjs variable is: `<network>/<param>` keys of optimizer state. */
export function variableIndex(model: NetworkSet): Map<string, { key: string; layout: TorchLayout; variable: tf.Variable }> {
  const out = new Map<string, { key: string; layout: TorchLayout; variable: tf.Variable }>();
  for (const { network, module } of networkFiles(model)) {
    for (const s of module.slotInfos()) if (s.kind === 'param') out.set(s.variable.name, { key: `${network}/${s.name}`, layout: s.layout, variable: s.variable });
  }
  return out;
}
