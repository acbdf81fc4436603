/**
 * What a difference means for checkpoints. Five classes, ordered:
 *   none < training-only < weight-compatible < partially-compatible < breaking
 * - none: nothing that affects training or weights (name, description).
 * - training-only: hyperparameters (lr, λ, γ, batch, epochs, schedule, EMA, seed, evaluation, data,
 *   augmentation, which pretrained files to start from); a checkpoint resumes as it is.
 * - weight-compatible: same parameter names and shapes everywhere, but the model or its objective
 *   computes something else (attention mask mode, a loss option or term); a checkpoint loads.
 * - partially-compatible: some networks or modules cannot load, others can warm-start.
 * - breaking: no module of the new model can load from a checkpoint of the old one.
 * The graph decides whether parameters changed; spec changes add the hyperparameter classes and
 * say which change caused what.
 */
import type { GraphDiff, ModuleDiff, NetworkDiff } from './graph-diff.js';
import type { SpecChange } from './spec-diff.js';

export type ChangeClass = 'none' | 'training-only' | 'weight-compatible' | 'partially-compatible' | 'breaking';
export const CLASSES: readonly ChangeClass[] = ['none', 'training-only', 'weight-compatible', 'partially-compatible', 'breaking'];

export function maxClass(...cs: ChangeClass[]): ChangeClass {
  return cs.reduce<ChangeClass>((m, c) => (CLASSES.indexOf(c) > CLASSES.indexOf(m) ? c : m), 'none');
}

/** `--exit-code`: 0 none, 1 compatible (training-only, weight-compatible), 2 partially-compatible or breaking. */
export function exitCodeForClass(c: ChangeClass): 0 | 1 | 2 {
  return c === 'none' ? 0 : c === 'training-only' || c === 'weight-compatible' ? 1 : 2;
}

/** Config keys of graph modules that only matter while training. */
const TRAINING_ONLY_CONFIG = new Set(['dropout', 'frozen']);

// ── modules and networks ─────────────────────────────────────────────────────────────────────────

export interface Verdict {
  class: ChangeClass;
  reason: string;
}

export function classifyModule(m: ModuleDiff): Verdict {
  if (m.status === 'added') return { class: 'breaking', reason: 'new module' };
  if (m.status === 'removed') return { class: 'breaking', reason: 'module removed' };
  const p = m.params;
  const parts: string[] = [];
  if (p.added.length) parts.push(`${p.added.length} parameter${p.added.length === 1 ? '' : 's'} added`);
  if (p.removed.length) parts.push(`${p.removed.length} removed`);
  if (p.reshaped.length) parts.push(`${p.reshaped.length} reshaped`);
  if (parts.length) return { class: 'breaking', reason: parts.join(', ') };
  const config = m.config.filter((c) => !TRAINING_ONLY_CONFIG.has(c.key));
  if (m.kind.a !== m.kind.b || config.length || m.shapes.length) {
    const what = [m.kind.a !== m.kind.b && 'kind', config.length && `config ${config.map((c) => c.key).join(', ')}`, m.shapes.length && 'tensor shapes'].filter(Boolean);
    return { class: 'weight-compatible', reason: `same parameters; ${what.join(', ')} changed` };
  }
  if (m.config.length || p.retrained.length) return { class: 'training-only', reason: p.retrained.length ? 'which parameters train changed' : 'training-only setting changed' };
  return { class: 'none', reason: 'unchanged' };
}

export interface NetworkVerdict extends Verdict {
  id: string;
  /** Modules of b that load from a's checkpoint unchanged (all their parameters). */
  reusableModules: string[];
  /** b's parameter elements that a checkpoint of a fills / b's total. */
  reusableElements: number;
  total: number;
}

export function classifyNetwork(n: NetworkDiff): NetworkVerdict {
  const base = { id: n.id, reusableModules: n.modules.filter((m) => m.reusable).map((m) => m.id), reusableElements: n.params.reusableElements, total: n.paramCount.b };
  if (n.status === 'added') return { ...base, class: 'breaking', reason: 'new network' };
  if (n.status === 'removed') return { ...base, class: 'breaking', reason: 'network removed' };
  const verdicts = n.modules.map((m) => ({ m, v: classifyModule(m) }));
  const broken = verdicts.filter((x) => x.v.class === 'breaking');
  if (broken.length || n.params.added.length || n.params.removed.length || n.params.reshaped.length) {
    const groups: Record<string, string[]> = {};
    for (const { m } of broken) (groups[m.status === 'changed' ? 'changed' : m.status] ??= []).push(m.id || '(root)');
    const text = (['added', 'removed', 'changed'] as const).filter((k) => groups[k]).map((k) => `${k === 'added' ? 'new' : k} ${groups[k]!.join(', ')}`);
    return { ...base, class: 'breaking', reason: text.join('; ') || 'parameters changed' };
  }
  const cls = maxClass(...verdicts.map((x) => x.v.class), n.className.a !== n.className.b || n.shapes.length || n.order ? 'weight-compatible' : 'none');
  if (cls === 'none') return { ...base, class: 'none', reason: 'unchanged' };
  const changed = verdicts.filter((x) => x.v.class !== 'none').map((x) => `${x.m.id || '(root)'}: ${x.v.reason}`);
  if (n.shapes.length) changed.push('input/output shapes changed');
  if (n.order) changed.push('module order changed');
  return { ...base, class: cls, reason: changed.join('; ') };
}

// ── spec changes ─────────────────────────────────────────────────────────────────────────────────

/** Which graph parts a spec value shapes: whole networks, or modules of one. */
type Target = { network: string | RegExp; modules?: string[] };

interface Rule {
  test: RegExp;
  class: ChangeClass;
  reason: string;
  targets?: (m: RegExpExecArray, graph: GraphDiff) => Target[];
}

const DISCRIMINATORS = /^discriminator_\d+$/;

const RULES: Rule[] = [
  { test: /^\/(attnc|name|description)$/, class: 'none', reason: 'metadata' },
  { test: /^\/(text_encoder|image_encoder|generator)\/(weights|trunk_weights)$/, class: 'training-only', reason: 'pretrained weights file' },
  { test: /^\/image_encoder\/freeze_trunk$/, class: 'training-only', reason: 'which parameters train' },
  { test: /^\/image_encoder\/trunk_batchnorm$/, class: 'training-only', reason: "the trunk's BatchNorm statistics in DAMSM training" },
  { test: /^\/text_encoder\/dropout$/, class: 'training-only', reason: 'dropout (training only)' },
  { test: /^\/generator\/stages\/\d+\/attention\/mask$/, class: 'weight-compatible', reason: 'attention mask mode (same weights, different forward pass)' },
  { test: /^\/generator\/stages\/\d+\/memory\/mask$/, class: 'weight-compatible', reason: 'memory reading mask mode (same weights, different forward pass)' },
  { test: /^\/losses\/\d+\/(lambda|gamma[123]|weight|weights(\/.*)?)$/, class: 'training-only', reason: 'loss weight' },
  { test: /^\/losses(\/.*)?$/, class: 'weight-compatible', reason: 'training objective (same weights, different loss)' },
  { test: /^\/data\/dataset\/kind$/, class: 'training-only', reason: 'dataset', targets: () => [{ network: 'text_encoder', modules: ['encoder'] }] },
  { test: /^\/data\/image_sizes(\/.*)?$/, class: 'training-only', reason: 'image sizes the data loader produces' },
  { test: /^\/data(\/.*)?$/, class: 'training-only', reason: 'data' },
  { test: /^\/train(\/.*)?$/, class: 'training-only', reason: 'training hyperparameter' },
  { test: /^\/evaluation(\/.*)?$/, class: 'training-only', reason: 'evaluation' },
  { test: /^\/text_encoder(\/.*)?$/, class: 'weight-compatible', reason: 'text encoder architecture', targets: () => [{ network: 'text_encoder' }] },
  { test: /^\/image_encoder(\/.*)?$/, class: 'weight-compatible', reason: 'image encoder architecture', targets: () => [{ network: 'image_encoder' }] },
  {
    test: /^\/generator\/stages\/(\d+)(\/.*)?$/,
    class: 'weight-compatible',
    reason: 'generator stage',
    targets: (m, graph) => {
      const i = Number(m[1]);
      const last = i === graph.imageSizes.a.length - 1 || i === graph.imageSizes.b.length - 1;
      const modules = [`h_net${i + 1}`, `img_net${i + 1}`, ...(last ? ['img_net'] : [])];
      // A stage added, removed or resized also adds, removes or resizes a discriminator.
      const whole = m[2] === undefined || m[2] === '/size';
      return [{ network: 'generator', modules }, ...(whole ? [{ network: DISCRIMINATORS }] : [])];
    },
  },
  { test: /^\/generator(\/.*)?$/, class: 'weight-compatible', reason: 'generator architecture', targets: () => [{ network: 'generator' }] },
  { test: /^\/discriminators(\/.*)?$/, class: 'weight-compatible', reason: 'discriminator architecture', targets: () => [{ network: DISCRIMINATORS }] },
];

export interface ClassifiedChange extends SpecChange {
  class: ChangeClass;
  reason: string;
}

export function classifySpecChange(change: SpecChange, graph?: GraphDiff): ClassifiedChange {
  for (const rule of RULES) {
    const m = rule.test.exec(change.pointer);
    if (!m) continue;
    let cls = rule.class;
    let reason = rule.reason;
    if (rule.targets && graph) {
      const hits = affected(graph, rule.targets(m, graph));
      const worst = maxClass(...hits.map((h) => h.v.class));
      if (CLASSES.indexOf(worst) > CLASSES.indexOf(cls)) {
        cls = worst;
        const where = hits.filter((h) => h.v.class === worst).map((h) => h.name);
        reason = `${reason}: ${worst === 'breaking' ? 'changes the parameters of' : 'changes'} ${where.join(', ')}`;
      }
    }
    return { ...change, class: cls, reason };
  }
  return { ...change, class: 'weight-compatible', reason: 'unclassified value' };
}

function affected(graph: GraphDiff, targets: Target[]): Array<{ name: string; v: Verdict }> {
  const out: Array<{ name: string; v: Verdict }> = [];
  for (const t of targets) {
    for (const n of graph.networks) {
      if (typeof t.network === 'string' ? n.id !== t.network : !t.network.test(n.id)) continue;
      if (!t.modules) {
        out.push({ name: n.id, v: classifyNetwork(n) });
        continue;
      }
      for (const m of n.modules) if (t.modules.includes(m.id)) out.push({ name: `${n.id}.${m.id}`, v: classifyModule(m) });
    }
  }
  return out;
}

// ── overall ──────────────────────────────────────────────────────────────────────────────────────

export interface Classification {
  class: ChangeClass;
  exitCode: 0 | 1 | 2;
  networks: NetworkVerdict[];
  /** Networks of b that load from a's checkpoint as they are. */
  reusableNetworks: string[];
  /** Networks of b that cannot load as a whole, with the modules that can warm-start. */
  warmStart: Array<{ network: string; modules: string[]; elements: number; total: number }>;
  /** Networks of b (or removed from a) that cannot load, with why. */
  broken: Array<{ network: string; reason: string }>;
}

export function classify(changes: readonly ClassifiedChange[], graph: GraphDiff): Classification {
  const networks = graph.networks.map(classifyNetwork);
  const broken = networks.filter((n) => n.class === 'breaking');
  const reusableNetworks = networks.filter((n) => n.class !== 'breaking').map((n) => n.id);
  const warmStart = broken
    .filter((n) => n.reusableModules.length > 0)
    .map((n) => ({ network: n.id, modules: n.reusableModules, elements: n.reusableElements, total: n.total }));
  let cls = maxClass(...networks.map((n) => n.class).filter((c) => c !== 'breaking'), ...changes.map((c) => c.class).filter((c) => c !== 'breaking' && c !== 'partially-compatible'));
  if (broken.length) {
    // Reusable only counts for networks both sides have: a removed network loads nothing new.
    const anyReuse = reusableNetworks.length > 0 || warmStart.length > 0;
    cls = anyReuse ? 'partially-compatible' : 'breaking';
  }
  return {
    class: cls,
    exitCode: exitCodeForClass(cls),
    networks,
    reusableNetworks,
    warmStart,
    broken: broken.map((n) => ({ network: n.id, reason: n.reason })),
  };
}
