/**
 * The phases of a model, in the order they run. Every generated model today is of the AttnGAN
 * family (DAMSM pretraining, then the GAN); a family with other phases lists them here.
 */
import type { GeneratedModel } from '../../model/contract.js';
import type { PhaseDefinition } from '../phase.js';
import { damsmPhase } from './damsm.js';
import { ganPhase } from './gan.js';

export function phasesOf(gen: GeneratedModel): readonly PhaseDefinition[] {
  void gen;
  return [damsmPhase, ganPhase];
}
