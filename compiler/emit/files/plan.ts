/** plan.ts: the training plan (data, phase cadence, weights files, evaluation) as one typed constant. */
import { doc, fileScope, lines, type EmitContext } from '../context.js';
import type { Statement } from '../print.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A plain value as a TypeScript literal: unquoted keys where possible, single-quoted strings, 2-space indent. */
export function literal(v: unknown, indent = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => typeof x !== 'object' || x === null)) return `[${v.map((x) => literal(x)).join(', ')}]`;
    return `[\n${v.map((x) => `${inner}${literal(x, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${IDENTIFIER.test(k) ? k : `'${k}'`}: ${literal(x, inner)},`).join('\n')}\n${indent}}`;
}

export function emitPlan(ctx: EmitContext): Statement[] {
  const { imports } = fileScope(ctx);
  const TrainingPlan = imports.runtimeType('model/plan.js', 'TrainingPlan');
  const p = ctx.graph.plan;
  const d = doc(
    [
      `What \`attnc train\` runs for this model: data (${p.data.dataset.kind}, ${p.data.imageSizes.join('/')} px), the DAMSM phase${p.phases.damsm.enabled ? '' : ' (off)'}`,
      `and the GAN phase${p.phases.gan.enabled ? '' : ' (off)'} with their cadence, the weights files to load, and the evaluation protocol.`,
    ],
    { kind: 'file', file: p.specFile, line: 1, pointer: '' },
  ).description as string;
  // Written as text: ts-morph re-indents multi-line initializers.
  const statement = lines('/**', ...d.split('\n').map((l) => (l ? ` * ${l}` : ' *')), ' */', `export const plan: ${TrainingPlan} = ${literal(p)};`);
  return [...imports.declarations(), statement];
}
