import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { model as tiny } from '../../../generated/tiny/index.js';
import type { TrainingPlan } from '../../../runtime/model/plan.js';

export type TinyModel = typeof tiny;

/** The generated tiny model with a smaller plan: few synthetic birds, small batches, every step logged. */
export function tinyModel(edit: (p: TrainingPlan) => void = () => {}): TinyModel {
  const plan: TrainingPlan = structuredClone(tiny.plan);
  plan.data.dataset = { ...plan.data.dataset, images: 160 } as TrainingPlan['data']['dataset'];
  plan.phases.damsm = { ...plan.phases.damsm, batchSize: 8, epochs: 1, logEvery: 1, snapshotInterval: 1 };
  plan.phases.gan = { ...plan.phases.gan, batchSize: 4, epochs: 1, logEvery: 1, snapshotInterval: 1, sampleEvery: 1000 };
  edit(plan);
  return { ...tiny, plan };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `attnc-${prefix}-`));
}

export type MetricLine = { phase: string; step: number; losses?: Record<string, number>; damsm_r1?: number };

export function metrics(runDir: string): MetricLine[] {
  return fs
    .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricLine);
}

/** Loss values by `phase:step`. */
export function lossesByStep(runDir: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const m of metrics(runDir)) if (m.losses) out.set(`${m.phase}:${m.step}`, m.losses);
  return out;
}
