import path from 'node:path';
import { loadSpec, runPipeline } from '../../../compiler/pipeline.js';
import type { ModelGraph } from '../../../compiler/lower/graph.js';
import type { LowerInput } from '../../../compiler/lower/lower.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SHIPPED = ['attndcgan', 'attngan1', 'attngan2', 'attngan2-coco', 'tiny'] as const;

export async function specInput(name: string, set: string[] = []): Promise<LowerInput> {
  const r = await loadSpec(path.join(ROOT, 'spec', `${name}.yaml`), { cwd: ROOT, set });
  if (!r.ok) throw new Error(`spec ${name} invalid: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { spec: r.spec, origins: r.origins, file: r.file };
}

export async function graphOf(name: string, set: string[] = []): Promise<ModelGraph> {
  const r = await runPipeline(path.join(ROOT, 'spec', `${name}.yaml`), 'lower', { set, projectRoot: ROOT });
  if (!r.ok) throw new Error(`lowering ${name} failed: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.graph;
}
