/**
 * `attnc diff` output: text in three sections (spec, graph, classification) after a two-line
 * summary, with +/−/~ markers and aligned numbers; or the result as JSON. Colors only when asked.
 */
import pc from 'picocolors';
import { stringify } from 'yaml';
import { shapeText } from '../lower/graph.js';
import { originText } from '../resolve/origins.js';
import type { ChangeClass } from './classify.js';
import type { DiffResult } from './diff.js';
import type { ModuleDiff, NetworkDiff, ParamRef } from './graph-diff.js';

export interface RenderDiffOptions {
  color?: boolean;
}

const num = (x: number) => x.toLocaleString('en-US');
const signed = (x: number) => (x > 0 ? `+${num(x)}` : x < 0 ? `−${num(-x)}` : '0');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A value on one line: YAML flow style, shortened. */
export function valueText(v: unknown, max = 96): string {
  let s = v === undefined ? '∅' : stringify(v, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
  if (s.includes('\n')) s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// ── summary ──────────────────────────────────────────────────────────────────────────────────────

const isD = (id: string) => id.startsWith('discriminator_');

export function summaryLine(r: DiffResult): string {
  const g = r.graph;
  const parts: string[] = [];
  const ds = g.imageSizes.b.length - g.imageSizes.a.length;
  if (ds) parts.push(`${ds > 0 ? '+' : '−'}${plural(Math.abs(ds), 'stage')}`);
  const dd = g.networks.filter((n) => isD(n.id) && n.status === 'added').length;
  const dr = g.networks.filter((n) => isD(n.id) && n.status === 'removed').length;
  if (dd) parts.push(`+${plural(dd, 'discriminator')}`);
  if (dr) parts.push(`−${plural(dr, 'discriminator')}`);
  const counts: string[] = [];
  const group = (label: string, nets: NetworkDiff[]) => {
    const a = nets.reduce((s, n) => s + n.paramCount.a, 0);
    const b = nets.reduce((s, n) => s + n.paramCount.b, 0);
    if (a !== b) counts.push(`${label} ${signed(b - a)} (${num(a)} → ${num(b)})`);
  };
  group('G', g.networks.filter((n) => n.id === 'generator'));
  group('D', g.networks.filter((n) => isD(n.id)));
  group('text encoder', g.networks.filter((n) => n.id === 'text_encoder'));
  group('image encoder', g.networks.filter((n) => n.id === 'image_encoder'));
  if (counts.length) counts.push(`total ${signed(g.total.delta)} (${num(g.total.a)} → ${num(g.total.b)})`);
  const head = [parts.join(', '), counts.length ? `parameters ${counts.join(', ')}` : ''].filter(Boolean).join('; ');
  const nSpec = r.spec.length;
  return `${r.a.name} → ${r.b.name}: ${head || (nSpec ? plural(nSpec, 'spec value') + ' changed, same graph' : 'no differences')}`;
}

/** What the class means for this pair, in one sentence (the class itself not repeated). */
export function verdictLine(r: DiffResult): string {
  const c = r.classification;
  if (c.class === 'none') return r.spec.length ? 'only metadata differs' : 'identical';
  if (c.class === 'training-only') return 'same model, different hyperparameters; checkpoints resume as they are';
  if (c.class === 'weight-compatible') return 'same parameter names and shapes; checkpoints load, the model or its loss computes differently';
  const broken = c.broken.map((b) => (b.reason.length <= 40 ? `${b.network} (${b.reason})` : b.network)).join(', ');
  if (c.class === 'breaking') return `nothing loads from a checkpoint of ${r.a.name}: ${broken}`;
  const parts = [`breaking for checkpoints of ${broken}`];
  if (c.reusableNetworks.length) parts.push(`loads as is: ${c.reusableNetworks.join(', ')}`);
  if (c.warmStart.length) parts.push(`warm-start: ${c.warmStart.map((w) => w.network).join(', ')}`);
  return parts.join('; ');
}

// ── text ─────────────────────────────────────────────────────────────────────────────────────────

export function renderDiffText(r: DiffResult, options: RenderDiffOptions = {}): string {
  const c = pc.createColors(!!options.color);
  const mark = (m: '+' | '−' | '~' | '=') => (m === '+' ? c.green(m) : m === '−' ? c.red(m) : m === '~' ? c.yellow(m) : c.dim(m));
  const cls = (k: ChangeClass) => (k === 'breaking' ? c.red(k) : k === 'partially-compatible' ? c.magenta(k) : k === 'weight-compatible' ? c.yellow(k) : k === 'training-only' ? c.cyan(k) : c.dim(k));
  const padCls = (k: ChangeClass, w: number) => cls(k) + ' '.repeat(Math.max(0, w - k.length));
  const out: string[] = [];
  out.push(`${c.bold('attnc diff')} a: ${r.a.label} (${r.a.name})  b: ${r.b.label} (${r.b.name})`);
  out.push(summaryLine(r));
  out.push(`${c.bold(r.classification.class)}: ${verdictLine(r)}`);

  // spec
  out.push('', c.bold(`spec: ${r.spec.length ? plural(r.spec.length, 'change') : 'no changes'}`));
  const pw = Math.min(40, Math.max(0, ...r.spec.map((s) => s.path.length)));
  const cw = Math.max(0, ...r.spec.map((s) => s.class.length));
  for (const s of r.spec) {
    const m = s.op === 'added' ? '+' : s.op === 'removed' ? '−' : '~';
    const value = s.op === 'added' ? valueText(s.b) : s.op === 'removed' ? valueText(s.a) : `${valueText(s.a, 44)} → ${valueText(s.b, 44)}`;
    out.push(`  ${mark(m)} ${s.path.padEnd(pw)}  ${padCls(s.class, cw)}  ${value}`);
    const origins = [s.op !== 'added' ? `a ${originText(s.originA)}` : '', s.op !== 'removed' ? `b ${originText(s.originB)}` : ''].filter(Boolean).join('  ');
    out.push(`    ${' '.repeat(pw + cw + 4)}${c.dim(`${origins} · ${s.reason}`)}`);
  }

  // graph
  out.push('', c.bold('graph'));
  const g = r.graph;
  if (g.imageSizes.a.join() !== g.imageSizes.b.join()) out.push(`  images ${g.imageSizes.a.join(', ')} px → ${g.imageSizes.b.join(', ')} px`);
  if (g.vocabSize.a !== g.vocabSize.b) out.push(`  vocabulary ${g.vocabSize.a ?? 'V'} → ${g.vocabSize.b ?? 'V'}`);
  const verdicts = new Map(r.classification.networks.map((n) => [n.id, n]));
  const rows = g.networks.map((n) => [
    `${n.status === 'added' ? '+' : n.status === 'removed' ? '−' : n.status === 'changed' ? '~' : '='} ${n.id}`,
    n.status === 'added' ? '—' : num(n.paramCount.a),
    n.status === 'removed' ? '—' : num(n.paramCount.b),
    signed(n.paramCount.delta),
    verdicts.get(n.id)!.class,
  ]);
  rows.push(['  total', num(g.total.a), num(g.total.b), signed(g.total.delta), '']);
  const head = ['  network', `a ${r.a.name}`, `b ${r.b.name}`, 'Δ', 'class'];
  const w = [0, 1, 2, 3].map((i) => Math.max(head[i]!.length, ...rows.map((x) => x[i]!.length)));
  const line = (x: string[], color = true) => {
    const first = x[0]!;
    const marker = color && /^[+−~=] /.test(first) ? mark(first[0] as '+') + first.slice(1) : first;
    return `  ${marker}${' '.repeat(w[0]! - first.length)}  ${x[1]!.padStart(w[1]!)}  ${x[2]!.padStart(w[2]!)}  ${x[3]!.padStart(w[3]!)}  ${x[4] ? cls(x[4] as ChangeClass) : ''}`.trimEnd();
  };
  out.push(c.dim(line(head, false)));
  for (const x of rows) out.push(line(x));
  for (const n of g.networks) {
    if (n.status === 'unchanged') continue;
    const v = verdicts.get(n.id)!;
    const cn = n.className.a && n.className.b && n.className.a !== n.className.b ? `${n.className.a} → ${n.className.b}` : (n.className.b ?? n.className.a)!;
    out.push('', `  ${mark(n.status === 'added' ? '+' : n.status === 'removed' ? '−' : '~')} ${c.bold(n.id)} (${cn}): ${cls(v.class)}, ${v.reason}`);
    for (const s of n.shapes) out.push(`      ${s.tensor}: ${s.a ? shapeText(s.a) : '∅'} → ${s.b ? shapeText(s.b) : '∅'}`);
    if (n.order) out.push(`      module order: ${n.order.a.join(', ')} → ${n.order.b.join(', ')}`);
    out.push(...moduleLines(n.modules.filter((m) => m.status !== 'unchanged'), mark));
  }

  // classification
  const k = r.classification;
  out.push('', `${c.bold('classification')}: ${cls(k.class)} (--exit-code ${k.exitCode})`);
  const counts = new Map<ChangeClass, number>();
  for (const s of r.spec) counts.set(s.class, (counts.get(s.class) ?? 0) + 1);
  if (r.spec.length) out.push(`  spec changes: ${[...counts].sort((x, y) => order(y[0]) - order(x[0])).map(([kk, n]) => `${n} ${kk}`).join(', ')}`);
  if (k.class === 'partially-compatible' || k.class === 'breaking') {
    if (k.reusableNetworks.length) out.push(`  loads as is:  ${k.reusableNetworks.join(', ')}`);
    for (const ws of k.warmStart) {
      out.push(`  warm-start:   ${ws.network} ${ws.modules.map((m) => m || '(root)').join(', ')} (${num(ws.elements)} of ${num(ws.total)} parameters)`);
    }
    k.broken.forEach((b, i) => out.push(`  ${i ? '              ' : 'cannot load:  '}${b.network}: ${b.reason}`));
  } else {
    const changed = k.networks.filter((n) => n.class !== 'none');
    out.push(changed.length ? `  same parameters in every network; ${changed.map((n) => `${n.id}: ${n.reason}`).join('; ')}` : '  same parameters in every network');
  }

  const real = r.code.filter((f) => !f.provenanceOnly);
  const provenance = r.code.filter((f) => f.provenanceOnly);
  const files = real.map((f) => `${f.file}${f.status === 'changed' ? '' : ` (${f.status})`}`).join(', ');
  const codeHead = !r.code.length
    ? 'generated code identical'
    : !real.length
      ? `only provenance comments changed (the spec's file name and lines in ${plural(provenance.length, 'generated file')})`
      : `${plural(real.length, 'generated file')} differ: ${files}${provenance.length ? `; ${provenance.length} more only in provenance comments` : ''}`;
  out.push('', `${c.bold('code')}: ${codeHead}${r.code.length && !r.patch ? ' (--patch shows them)' : ''}`);
  for (const p of r.patch ?? []) out.push(colorPatch(p.patch.trimEnd(), c));
  return out.join('\n') + '\n';
}

const order = (k: ChangeClass) => ['none', 'training-only', 'weight-compatible', 'partially-compatible', 'breaking'].indexOf(k);

function moduleLines(mods: ModuleDiff[], mark: (m: '+' | '−' | '~' | '=') => string): string[] {
  if (!mods.length) return [];
  const rows = mods.map((m) => {
    const kind = m.kind.a && m.kind.b && m.kind.a !== m.kind.b ? `${m.kind.a} → ${m.kind.b}` : (m.kind.b ?? m.kind.a)!;
    const count = m.status === 'added' ? num(m.paramCount.b) : m.status === 'removed' ? num(m.paramCount.a) : m.paramCount.delta ? `${num(m.paramCount.a)} → ${num(m.paramCount.b)}` : num(m.paramCount.b);
    const delta = m.paramCount.delta ? signed(m.paramCount.delta) : '';
    // New and removed modules show what they compute; changed ones list their shape changes below.
    const io = m.status === 'changed' ? '' : `→ ${(m.outputs ?? []).map(shapeText).join(', ')}`;
    return { m, cells: [m.id || '(root)', kind, count, delta, io] };
  });
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((x) => x.cells[i]!.length)));
  const out: string[] = [];
  for (const { m, cells } of rows) {
    const sym = m.status === 'added' ? '+' : m.status === 'removed' ? '−' : '~';
    out.push(`      ${mark(sym)} ${cells[0]!.padEnd(w[0]!)}  ${cells[1]!.padEnd(w[1]!)}  ${cells[2]!.padStart(w[2]!)}  ${cells[3]!.padStart(w[3]!)}  ${cells[4]}`.trimEnd());
    if (m.status !== 'changed') continue;
    const pad = ' '.repeat(10);
    for (const cc of m.config) out.push(`${pad}config ${cc.key}: ${cc.a ?? '∅'} → ${cc.b ?? '∅'}`);
    for (const s of m.shapes) out.push(`${pad}${s.tensor}: ${s.a ? shapeText(s.a) : '∅'} → ${s.b ? shapeText(s.b) : '∅'}`);
    const p = m.params;
    if (p.added.length) out.push(`${pad}+ ${plural(p.added.length, 'parameter')}: ${groups(m.id, p.added)}`);
    if (p.removed.length) out.push(`${pad}− ${plural(p.removed.length, 'parameter')}: ${groups(m.id, p.removed)}`);
    if (p.reshaped.length) {
      const shown = p.reshaped.slice(0, 3).map((x) => `${x.name} ${shapeText(x.a)} → ${shapeText(x.b)}`);
      out.push(`${pad}~ ${plural(p.reshaped.length, 'parameter')} reshaped: ${shown.join(', ')}${p.reshaped.length > 3 ? `, … (${groups(m.id, p.reshaped.map((x) => ({ name: x.name, shape: x.b, size: null })))})` : ''}`);
    }
    if (p.retrained.length) out.push(`${pad}~ ${plural(p.retrained.length, 'parameter')}: ${p.retrained[0]!.a} → ${p.retrained[0]!.b}`);
  }
  return out;
}

/** `h_net2.residual.0.*, h_net2.residual.1.*` for a list of parameters of one module. */
function groups(moduleId: string, params: ParamRef[]): string {
  const seen = new Map<string, number>();
  for (const p of params) {
    const rel = moduleId && p.name.startsWith(moduleId + '.') ? p.name.slice(moduleId.length + 1) : p.name;
    const segs = rel.split('.');
    const keep = segs.length > 2 && /^\d+$/.test(segs[1]!) ? 2 : 1;
    const key = segs.length > keep ? `${[moduleId, ...segs.slice(0, keep)].filter(Boolean).join('.')}.*` : p.name;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const list = [...seen.keys()];
  return list.length > 8 ? `${list.slice(0, 8).join(', ')}, … (${list.length - 8} more groups)` : list.join(', ');
}

function colorPatch(patch: string, c: ReturnType<typeof pc.createColors>): string {
  return patch
    .split('\n')
    .map((l) => (l.startsWith('+++') || l.startsWith('---') || l.startsWith('Index') || l.startsWith('===') ? c.bold(l) : l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l))
    .join('\n');
}

// ── json ─────────────────────────────────────────────────────────────────────────────────────────

export function renderDiffJson(r: DiffResult): string {
  const body = {
    a: r.a,
    b: r.b,
    summary: summaryLine(r),
    class: r.classification.class,
    verdict: verdictLine(r),
    exitCode: r.classification.exitCode,
    spec: r.spec.map((s) => ({
      pointer: s.pointer,
      path: s.path,
      op: s.op,
      ...(s.op !== 'added' ? { a: s.a, originA: s.originA ? { ...s.originA, text: originText(s.originA) } : null } : {}),
      ...(s.op !== 'removed' ? { b: s.b, originB: s.originB ? { ...s.originB, text: originText(s.originB) } : null } : {}),
      class: s.class,
      reason: s.reason,
    })),
    // Unchanged modules are left out: the text lists only what differs, and so does the JSON.
    graph: { ...r.graph, networks: r.graph.networks.map((n) => ({ ...n, modules: n.modules.filter((m) => m.status !== 'unchanged') })) },
    classification: r.classification,
    code: r.code,
    ...(r.patch ? { patch: r.patch } : {}),
  };
  return JSON.stringify(body, null, 2) + '\n';
}
