import path from 'node:path';
import { loadSpec } from '../../../compiler/spec.js';
import type { ModelGraph } from '../../../compiler/lower/graph.js';
import { lower, type LowerInput } from '../../../compiler/lower/lower.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const SHIPPED = ['attndcgan', 'attngan1', 'attngan2', 'attngan2-coco', 'tiny'] as const;

export async function specInput(name: string, set: string[] = []): Promise<LowerInput> {
  const r = await loadSpec(path.join(ROOT, 'spec', `${name}.yaml`), { cwd: ROOT, set });
  if (!r.ok) throw new Error(`spec ${name} invalid: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { spec: r.spec, origins: r.origins, file: r.file };
}

export async function graphOf(name: string): Promise<ModelGraph> {
  const r = lower(await specInput(name));
  if (!r.ok) throw new Error(`lowering ${name} failed: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.graph;
}
