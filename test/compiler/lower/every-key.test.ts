/**
 * No spec key silently does nothing. Every key of the schema (every variant of every tagged union)
 * is walked in some shipped spec; each is set to other valid-looking values with `--set`, and every
 * value must either change what the compiler produces — the lowered graph (with its training plan)
 * or the generated TypeScript — or be rejected with a located diagnostic at that key (a schema or
 * rule error, or ATTNC3004 "not supported by the runtime").
 *
 * The spec's hash (every header and the graph carry it) and manifest.json (it repeats the resolved
 * spec) are left out of the comparison: they change with any key, whether it acts or not.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../compiler/diagnostics/types.js';
import type { ModelGraph } from '../../../compiler/lower/graph.js';
import { toDotted } from '../../../compiler/parse/pointer.js';
import { runPipeline } from '../../../compiler/pipeline.js';
import { branchFor, isTagged, tagOf } from '../../../compiler/schema/navigate.js';
import { SpecSchema } from '../../../compiler/schema/spec-schema.js';
import { ROOT } from './helpers.js';

type Json = Record<string, any>;

/** Where every variant is in use: a shipped spec, plus overrides that select the other variants. */
const CONTEXTS: Array<{ spec: string; set: string[] }> = [
  { spec: 'tiny', set: [] },
  { spec: 'attngan2', set: [] },
  { spec: 'attngan2-coco', set: [] },
  { spec: 'tiny', set: ['data.dataset={$replace: true, kind: custom, root: data/mine}'] },
  {
    spec: 'tiny',
    set: [
      'evaluation.metrics=[{type: fid}, {type: inception_score}]',
      'train.gan.grad_clip={max_norm: 1}',
      'train.damsm.grad_clip=null',
      'train.damsm.schedule={$replace: true, type: constant}',
      'train.gan.schedule={type: exponential, floor: 0.0001}',
    ],
  },
  { spec: 'tiny-dmgan', set: [] },
  { spec: 'tiny-dfgan', set: [] },
  { spec: 'tiny', set: ['image_encoder.part_loss={weight: 1}'] },
  { spec: 'tiny', set: ['image_encoder.part_loss={weight: 1}', 'losses[1].part_words={weight: 1, pretrain_weight: 1}'] },
];

/**
 * Keys whose other values only make sense together with another change (a cross-key rule would
 * otherwise reject them at the other key): the companion overrides applied with every value tried.
 */
const COMPANIONS: Record<string, string[]> = {
  'text_encoder.hidden_dim': ['image_encoder.embedding_dim=128', 'generator.stages[1].attention.word_dim=128'],
  'generator.conditioning_augmentation': ['losses=[{type: adversarial}, {type: damsm, stage: last}]'],
  'generator.heads': ['discriminators.per_stage=false'],
  'generator.stages[]<init>.size': ['generator.stages[1].size=128', 'image_encoder.input_size=128'],
  'discriminators.conditional': ['losses[0].conditional=false', 'losses[0].mismatched=false'],
  'discriminators.unconditional': ['losses[0].unconditional=false'],
  'losses[]<adversarial>.conditional': ['losses[0].mismatched=false'],
  'losses[]<damsm>.stage': ['image_encoder.input_size=32', 'image_encoder.local_size=4'],
  'train.damsm.enabled': ['text_encoder.weights=text.pth', 'image_encoder.weights=image.pth'],
  'generator.stages[]<fusion>.size': ['image_encoder.input_size=128'],
};

/**
 * Keys the test tolerates for now, each with the reason. Empty: every key acts or is rejected.
 * (The training-plan work on main lowered `data`, the phases' cadence and `evaluation` into
 * `graph.plan`, which this test sees.)
 */
const TOLERATED: Record<string, string> = {};

// ── the schema's keys ───────────────────────────────────────────────────────────────────────────

/** A nullable object (`grad_clip`, `ema`): both the key itself (null or not) and its fields act. */
const nullableObject = (s: Json): Json | undefined =>
  Array.isArray(s.anyOf) && s.anyOf.some((b: Json) => b.type === 'null') ? s.anyOf.find((b: Json) => b.properties || isTagged(b)) : undefined;

/** Every key of the schema as a path: `.` into objects, `<variant>` into a tagged union, `[]` into list items. */
function schemaKeys(s: Json, at: string, out: Set<string>, skip?: string): void {
  if (isTagged(s)) {
    const tag = tagOf(s)!;
    for (const b of s.oneOf as Json[]) schemaKeys(b, `${at}<${b.properties[tag].const}>`, out, tag);
    return;
  }
  const obj = nullableObject(s);
  if (obj) {
    out.add(at);
    schemaKeys(obj, at, out);
    return;
  }
  if (s.properties) {
    for (const k of Object.keys(s.properties)) if (k !== skip) schemaKeys(s.properties[k], at ? `${at}.${k}` : k, out);
    return;
  }
  if (s.type === 'array' && (s.items.properties || isTagged(s.items))) {
    schemaKeys(s.items, `${at}[]`, out);
    return;
  }
  out.add(at);
}

interface Leaf {
  key: string;
  pointer: string;
  schema: Json;
  value: unknown;
}

/** The keys present in one resolved spec, with their pointers and values. */
function specKeys(s: Json, v: unknown, at: string, ptr: string, out: Leaf[], skip?: string): void {
  if (isTagged(s)) {
    const tag = tagOf(s)!;
    const b = branchFor(s, v)!;
    specKeys(b, v, `${at}<${(v as Json)[tag]}>`, ptr, out, tag);
    return;
  }
  const obj = nullableObject(s);
  if (obj) {
    out.push({ key: at, pointer: ptr, schema: s, value: v });
    if (v !== null) specKeys(obj, v, at, ptr, out);
    return;
  }
  if (s.properties) {
    for (const k of Object.keys(s.properties)) if (k !== skip) specKeys(s.properties[k], (v as Json)[k], at ? `${at}.${k}` : k, `${ptr}/${k}`, out);
    return;
  }
  if (s.type === 'array' && (s.items.properties || isTagged(s.items))) {
    (v as unknown[]).forEach((x, i) => specKeys(s.items, x, `${at}[]`, `${ptr}/${i}`, out));
    return;
  }
  out.push({ key: at, pointer: ptr, schema: s, value: v });
}

// ── values to try ───────────────────────────────────────────────────────────────────────────────

function numbers(s: Json, v: number, integer: boolean): number[] {
  const raw = integer ? [v + 1, v * 2, v - 1] : v === 0 ? [0.5, 1] : [v * 2, v / 2, v + 0.25];
  const ok = (x: number) =>
    x !== v &&
    (s.minimum === undefined || x >= s.minimum) &&
    (s.exclusiveMinimum === undefined || x > s.exclusiveMinimum) &&
    (s.maximum === undefined || x <= s.maximum);
  return [...new Set(raw.filter(ok))].slice(0, 2);
}

function candidates(s: Json, v: unknown): unknown[] {
  const obj = nullableObject(s);
  if (obj) {
    if (v !== null) return [null];
    const required: string[] = obj.required ?? [];
    return [Object.fromEntries(required.map((k) => [k, obj.properties[k].type === 'string' ? 'x' : 1]))];
  }
  if (Array.isArray(s.anyOf)) {
    if (s.anyOf.some((b: Json) => b.type === 'null')) return v === null ? ['some/file.pth'] : [null, `${String(v)}.other`];
    // `stage: last | index`, `spectral_norm: boolean | sizes`: a value of each branch.
    const branch = (b: Json): unknown[] =>
      b.const !== undefined ? [b.const] : b.type === 'integer' ? [0, 1] : b.type === 'boolean' ? [true, false] : b.type === 'array' ? [[b.items?.minimum ?? 1]] : [];
    return s.anyOf.flatMap(branch).filter((x: unknown) => JSON.stringify(x) !== JSON.stringify(v));
  }
  if (s.const !== undefined) return [typeof s.const === 'number' ? s.const + 1 : `${s.const}x`];
  if (Array.isArray(s.enum)) {
    // A one-value enum (`optimizer.type: adam`) can only be set to something it rejects.
    const others = s.enum.filter((x: unknown) => x !== v);
    return others.length ? others : [`${String(v)}x`];
  }
  switch (s.type) {
    case 'boolean':
      return [!v];
    case 'integer':
      return numbers(s, v as number, true);
    case 'number':
      return numbers(s, v as number, false);
    case 'string':
      return [`${String(v)}x`];
    case 'array':
      return [(v as number[]).map((x) => x * 2)];
  }
  throw new Error(`no candidate values for schema ${JSON.stringify(s)}`);
}

// ── what the compiler produces ──────────────────────────────────────────────────────────────────

/** The graph without the spec's hash and file (they move with any key). */
function graphText(g: ModelGraph): string {
  return JSON.stringify({ ...g, specHash: '', specFile: '', plan: { ...g.plan, specHash: '', specFile: '' } });
}

/** The generated .ts files with the spec's sha256 (header, SPEC, plan) blanked. */
async function codeText(spec: string, set: string[]): Promise<string> {
  const r = await runPipeline(path.join(ROOT, 'spec', `${spec}.yaml`), 'emit', { set, projectRoot: ROOT });
  if (!r.ok) throw new Error(`${spec} does not emit: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.files
    .entries()
    .filter(([f]) => f.endsWith('.ts'))
    .map(([f, t]) => `${f}\n${t.replace(/\b[0-9a-f]{64}\b/g, '<sha256>')}`)
    .join('\n');
}

type Outcome = { kind: 'changed' } | { kind: 'rejected'; diagnostic: Diagnostic } | { kind: 'ignored' } | { kind: 'misplaced'; diagnostics: Diagnostic[] };

const within = (pointer: string | undefined, key: string) => pointer !== undefined && (pointer === key || pointer.startsWith(`${key}/`) || key.startsWith(`${pointer}/`));

describe('every schema key acts or is rejected', () => {
  it('each context walks a valid spec, and together they reach every key of the schema', async () => {
    const all = new Set<string>();
    schemaKeys(SpecSchema as Json, '', all);
    const seen = new Set<string>();
    for (const c of CONTEXTS) {
      const r = await runPipeline(path.join(ROOT, 'spec', `${c.spec}.yaml`), 'lower', { set: c.set, projectRoot: ROOT });
      expect(r.ok, `${c.spec} ${c.set.join(' ')}: ${r.diagnostics.map((d) => d.message).join('; ')}`).toBe(true);
      if (!r.ok) continue;
      const leaves: Leaf[] = [];
      specKeys(SpecSchema as Json, r.spec, '', '', leaves);
      for (const l of leaves) seen.add(l.key);
    }
    expect([...all].filter((k) => !seen.has(k))).toEqual([]);
    expect([...seen].filter((k) => !all.has(k))).toEqual([]);
    expect(all.size).toBeGreaterThan(100);
  });

  it('changing any key changes the graph or the generated code, or is rejected at that key', async () => {
    const done = new Set<string>();
    const failures: string[] = [];
    const outcomes: Record<string, string[]> = {};
    const keyOutcomes = new Map<string, Outcome[]>();
    const misplaced: string[] = [];
    for (const c of CONTEXTS) {
      const specFile = path.join(ROOT, 'spec', `${c.spec}.yaml`);
      const base = await runPipeline(specFile, 'lower', { set: c.set, projectRoot: ROOT });
      if (!base.ok) throw new Error(`${c.spec} ${c.set.join(' ')} is invalid: ${base.diagnostics.map((d) => d.message).join('; ')}`);
      const baseGraph = graphText(base.graph);
      let baseCode: string | undefined;
      const leaves: Leaf[] = [];
      specKeys(SpecSchema as Json, base.spec, '', '', leaves);
      for (const leaf of leaves) {
        if (done.has(leaf.key)) continue;
        done.add(leaf.key);
        const tried: Outcome[] = [];
        keyOutcomes.set(`${leaf.key} (in ${c.spec})`, tried);
        for (const value of candidates(leaf.schema, leaf.value)) {
          const set = [...c.set, `${toDotted(leaf.pointer)}=${JSON.stringify(value)}`, ...(COMPANIONS[leaf.key] ?? [])];
          const r = await runPipeline(specFile, 'lower', { set, projectRoot: ROOT });
          let outcome: Outcome;
          if (!r.ok) {
            const errors = r.diagnostics.filter((d) => d.severity === 'error');
            const at = errors.find((d) => within(d.pointer, leaf.pointer) && d.line > 0);
            outcome = at ? { kind: 'rejected', diagnostic: at } : { kind: 'misplaced', diagnostics: errors };
          } else if (graphText(r.graph) !== baseGraph) {
            outcome = { kind: 'changed' };
          } else {
            baseCode ??= await codeText(c.spec, c.set);
            outcome = (await codeText(c.spec, set)) !== baseCode ? { kind: 'changed' } : { kind: 'ignored' };
          }
          (outcomes[outcome.kind] ??= []).push(`${leaf.key}=${JSON.stringify(value)}`);
          tried.push(outcome);
          if (outcome.kind === 'ignored' && !(leaf.key in TOLERATED)) failures.push(`${leaf.key} = ${JSON.stringify(value)} (in ${c.spec}) changes nothing`);
          if (outcome.kind === 'misplaced') {
            misplaced.push(`${leaf.key} = ${JSON.stringify(value)} (in ${c.spec}) is rejected elsewhere: ${outcome.diagnostics.map((d) => `${d.code} ${d.pointer ?? ''} ${d.message}`).join('; ')}`);
          }
        }
      }
    }
    // A value rejected at another key is fine when another value of the same key shows it acting
    // (`samples: 201` breaks the folds, `samples: 400` is in the plan); a key with nothing else is not.
    for (const [key, tried] of keyOutcomes) {
      if (!tried.some((o) => o.kind === 'changed' || o.kind === 'rejected')) failures.push(`${key}: no value tried shows it acting (${misplaced.filter((m) => m.startsWith(key.split(' ')[0]!)).join(' | ')})`);
    }
    expect(failures).toEqual([]);
    // The test must see both outcomes, or it proves nothing.
    expect(outcomes.changed!.length).toBeGreaterThan(100);
    expect(outcomes.rejected!.length).toBeGreaterThan(5);
    // Tolerated keys must still be keys of the schema and still do nothing (then the list shrinks).
    for (const k of Object.keys(TOLERATED)) expect(outcomes.ignored?.some((o) => o.startsWith(`${k}=`)), k).toBe(true);
  });

  it('image_encoder.freeze_trunk=false trains the trunk: graph counts and flags, generated code', async () => {
    const open = await runPipeline(path.join(ROOT, 'spec/attngan2.yaml'), 'emit', { set: ['image_encoder.freeze_trunk=false', 'train.damsm.enabled=true'], projectRoot: ROOT });
    const shut = await runPipeline(path.join(ROOT, 'spec/attngan2.yaml'), 'emit', { set: ['train.damsm.enabled=true'], projectRoot: ROOT });
    if (!open.ok || !shut.ok) throw new Error('attngan2 does not compile');
    const enc = (g: ModelGraph) => g.networks.find((n) => n.id === 'image_encoder')!;
    expect(enc(shut.graph).trainableCount).toBe(721_152);
    expect(enc(open.graph).trainableCount).toBe(22_506_720);
    expect(enc(open.graph).params.every((p) => p.trainable && p.phase === 'damsm')).toBe(true);
    expect(enc(shut.graph).params.filter((p) => p.module === '').every((p) => !p.trainable && p.phase === null)).toBe(true);
    expect(open.files.get('image-encoder.ts')).toContain('new InceptionImageEncoder({ nef: 256, freezeTrunk: false, trunkBatchNormFollowsTraining: true })');
    expect(open.files.get('image-encoder.ts')).toContain('trainable Inception-v3 trunk');
    expect(open.files.get('image-encoder.ts')).toContain('22,506,720 parameters, 22,506,720 trainable');
  });

  it('train.damsm.optimizer.reset_each_epoch is in the graph and the generated DAMSM step', async () => {
    const keep = await runPipeline(path.join(ROOT, 'spec/tiny.yaml'), 'emit', { set: ['train.damsm.optimizer.reset_each_epoch=false'], projectRoot: ROOT });
    const reset = await runPipeline(path.join(ROOT, 'spec/tiny.yaml'), 'emit', { projectRoot: ROOT });
    if (!keep.ok || !reset.ok) throw new Error('tiny does not compile');
    expect(keep.graph.plan.phases.damsm.resetOptimizerEachEpoch).toBe(false);
    expect(reset.graph.plan.phases.damsm.resetOptimizerEachEpoch).toBe(true);
    expect(keep.files.get('train-damsm.ts')).toContain('created once for the phase, its moments kept across epochs');
    expect(reset.files.get('train-damsm.ts')).toContain('the original re-creates it every epoch, resetting the moments');
  });
});
