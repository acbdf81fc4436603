/**
 * A model's networks and optimizers ↔ checkpoint files (PyTorch layout, original names). The one
 * mapping between the networks and the file names the original uses (netG, netD0…, text_encoder,
 * image_encoder); train, sample, import and export all go through it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module, TorchLayout } from '../nn/module.js';
import { exportState, fromTorchLayout, importState, toTorchLayout, type TorchState } from '../nn/state.js';
import { AttncError } from '../util/errors.js';
import type { ParameterEma } from './ema.js';

/** The networks every generated model has. */
export interface ModelNetworks {
  textEncoder: Module;
  imageEncoder: Module;
  generator: Module;
  discriminators: readonly Module[];
}

export type NetworkKey = 'text_encoder' | 'image_encoder' | 'generator' | `discriminator_${number}`;

/** Checkpoint file of each network, as the original names its .pth files. */
export function networkFiles(model: ModelNetworks): Array<{ file: string; network: NetworkKey; module: Module }> {
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

/** Which (network, parameter) each tfjs variable is, for optimizer state. */
export function variableIndex(model: ModelNetworks): Map<string, { key: string; layout: TorchLayout; variable: tf.Variable }> {
  const out = new Map<string, { key: string; layout: TorchLayout; variable: tf.Variable }>();
  for (const { network, module } of networkFiles(model)) {
    for (const s of module.slotInfos()) if (s.kind === 'param') out.set(s.variable.name, { key: `${network}/${s.name}`, layout: s.layout, variable: s.variable });
  }
  return out;
}

type AdamLike = tf.Optimizer & { learningRate: number };

/** Adam's moments as PyTorch-layout tensors keyed `<id>/<network>/<param>/exp_avg|exp_avg_sq`, plus the order and step count. */
export async function saveOptimizer(
  id: string,
  optimizer: tf.Optimizer,
  index: ReturnType<typeof variableIndex>,
): Promise<{ state: TorchState; entry: { id: string; iterations: number; lr: number; params: string[] } }> {
  const weights = await optimizer.getWeights();
  // weights[0] is a fresh scalar of the step count (the rest are the optimizer's own variables).
  const iterations = weights.length > 0 ? Math.round((await weights[0]!.tensor.data())[0]!) : 0;
  weights[0]?.tensor.dispose();
  const moments = weights.slice(1);
  const n = moments.length / 2;
  const state: TorchState = new Map();
  const params: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = moments[i]!;
    const v = moments[n + i]!;
    const varName = m.name.replace(/\/m$/, '');
    const info = index.get(varName);
    if (!info) throw new Error(`optimizer ${id}: moment of an unknown variable ${varName}`);
    params.push(info.key);
    state.set(`${id}/${info.key}/exp_avg`, toTorchLayout(m.tensor, info.layout));
    state.set(`${id}/${info.key}/exp_avg_sq`, toTorchLayout(v.tensor, info.layout));
  }
  return { state, entry: { id, iterations, lr: (optimizer as AdamLike).learningRate, params } };
}

/** Restores what `saveOptimizer` wrote into a fresh Adam of the same configuration. */
export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  entry: { id: string; iterations: number; lr: number; params: string[] },
  state: TorchState,
  model: ModelNetworks,
  source: string,
): Promise<void> {
  if (entry.params.length === 0) return;
  const byKey = new Map([...variableIndex(model).values()].map((v) => [v.key, v]));
  const m: Array<{ name: string; tensor: tf.Tensor }> = [];
  const v: Array<{ name: string; tensor: tf.Tensor }> = [];
  for (const key of entry.params) {
    const info = byKey.get(key);
    const tm = state.get(`${entry.id}/${key}/exp_avg`);
    const tv = state.get(`${entry.id}/${key}/exp_avg_sq`);
    if (!info || !tm || !tv) throw new AttncError('ATTNC_CHECKPOINT', `${source}: optimizer ${entry.id} has no state for ${key}`, { path: source, hint: 'the checkpoint belongs to another model' });
    m.push({ name: `${info.variable.name}/m`, tensor: fromTorchLayout(tm, info.layout) });
    v.push({ name: `${info.variable.name}/v`, tensor: fromTorchLayout(tv, info.layout) });
  }
  const iter = { name: 'iter', tensor: tf.scalar(entry.iterations, 'int32') };
  await optimizer.setWeights([iter, ...m, ...v]);
  tf.dispose([iter.tensor, ...m.map((x) => x.tensor), ...v.map((x) => x.tensor)]);
  (optimizer as AdamLike).learningRate = entry.lr;
}

/** Sets an Adam's learning rate in place (schedules that keep the moments). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as AdamLike).learningRate = lr;
}

/** Loads a checkpoint file into a network (strict). */
export function loadNetwork(module: Module, state: TorchState, source: string): void {
  importState(module, state, { source });
}

export { exportState };
