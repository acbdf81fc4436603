/**
 * Diff of two model graphs, network by network. Modules are matched by their stable id (the
 * state_dict prefix), parameters by name, so a renamed layer shows as removed + added: exactly what
 * a checkpoint loader sees. Origins (line numbers) never count as a change.
 */
import { configEntries, type ConfigValue, type ModelGraph, type ModuleNode, type Network, type NetworkId, type ParamNode, type Shape, type TensorNode } from '../lower/graph.js';

export type ItemStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface CountDelta {
  a: number;
  b: number;
  delta: number;
}

export interface ConfigChange {
  key: string;
  a?: ConfigValue;
  b?: ConfigValue;
}

export interface ShapeChange {
  /** `in h` / `out attn`; position when the names differ. */
  tensor: string;
  a?: Shape;
  b?: Shape;
}

export interface ParamRef {
  name: string;
  shape: Shape;
  size: number | null;
}

export interface ParamChanges {
  added: ParamRef[];
  removed: ParamRef[];
  reshaped: Array<{ name: string; a: Shape; b: Shape }>;
  /** Same name and shape, but trainable/frozen or its phase differs. */
  retrained: Array<{ name: string; a: string; b: string }>;
  /** Parameters of b that a checkpoint of a fills (same name and shape). */
  reusable: number;
  /** Their element count. */
  reusableElements: number;
}

export interface ModuleDiff {
  id: string;
  status: ItemStatus;
  kind: { a?: string; b?: string };
  config: ConfigChange[];
  shapes: ShapeChange[];
  params: ParamChanges;
  paramCount: CountDelta;
  /** Output shapes of the side that has the module (b's, or a's for a removed one). */
  outputs?: Shape[];
  /** Every parameter of b's module is in a's checkpoint with the same shape (and the module has some). */
  reusable: boolean;
}

export interface NetworkDiff {
  id: NetworkId;
  status: ItemStatus;
  className: { a?: string; b?: string };
  paramCount: CountDelta;
  trainableCount: CountDelta;
  /** Network inputs/outputs. */
  shapes: ShapeChange[];
  modules: ModuleDiff[];
  params: ParamChanges;
  /** Module ids in execution order, per side, when the order changed. */
  order?: { a: string[]; b: string[] };
}

export interface GraphDiff {
  networks: NetworkDiff[];
  imageSizes: { a: number[]; b: number[] };
  vocabSize: { a: number | null; b: number | null };
  total: CountDelta;
  trainable: CountDelta;
}

const count = (a: number, b: number): CountDelta => ({ a, b, delta: b - a });

/** Networks in a stable order: encoders, generator, discriminators by image size. */
function networkRank(id: string): number {
  if (id === 'text_encoder') return 0;
  if (id === 'image_encoder') return 1;
  if (id === 'generator') return 2;
  const m = /^discriminator_(\d+)$/.exec(id);
  return m ? 3 + Number(m[1]) : 1e9;
}

export function diffGraphs(a: ModelGraph, b: ModelGraph): GraphDiff {
  const ids = [...new Set([...a.networks.map((n) => n.id), ...b.networks.map((n) => n.id)])];
  ids.sort((x, y) => networkRank(x) - networkRank(y) || x.localeCompare(y));
  const networks = ids.map((id) => diffNetwork(a.networks.find((n) => n.id === id), b.networks.find((n) => n.id === id), id));
  const sum = (g: ModelGraph, f: (n: Network) => number) => g.networks.reduce((s, n) => s + f(n), 0);
  return {
    networks,
    imageSizes: { a: [...a.imageSizes], b: [...b.imageSizes] },
    vocabSize: { a: a.vocabSize, b: b.vocabSize },
    total: count(sum(a, (n) => n.paramCount), sum(b, (n) => n.paramCount)),
    trainable: count(sum(a, (n) => n.trainableCount), sum(b, (n) => n.trainableCount)),
  };
}

export function diffNetwork(a: Network | undefined, b: Network | undefined, id: NetworkId = (a ?? b)!.id): NetworkDiff {
  const modIds = [...new Set([...(a?.modules ?? []).map((m) => m.id), ...(b?.modules ?? []).map((m) => m.id)])];
  // b's order, with a's removed modules after the b module they followed.
  const ordered = mergeOrder((a?.modules ?? []).map((m) => m.id), (b?.modules ?? []).map((m) => m.id));
  const modules = (ordered.length === modIds.length ? ordered : modIds).map((mid) =>
    diffModule(a?.modules.find((m) => m.id === mid), b?.modules.find((m) => m.id === mid), a?.params ?? [], b?.params ?? [], mid),
  );
  const params = diffParams(a?.params ?? [], b?.params ?? []);
  const shapes = a && b ? diffTensors([...a.inputs.map((t) => ['in', t] as const), ...a.outputs.map((t) => ['out', t] as const)], [...b.inputs.map((t) => ['in', t] as const), ...b.outputs.map((t) => ['out', t] as const)]) : [];
  const common = (a?.modules ?? []).map((m) => m.id).filter((m) => b?.modules.some((x) => x.id === m));
  const commonB = (b?.modules ?? []).map((m) => m.id).filter((m) => a?.modules.some((x) => x.id === m));
  const order = common.join('\n') !== commonB.join('\n') ? { a: common, b: commonB } : undefined;
  const status: ItemStatus = !a ? 'added' : !b ? 'removed' : a.className !== b.className || shapes.length || order || modules.some((m) => m.status !== 'unchanged') || params.added.length || params.removed.length || params.reshaped.length || params.retrained.length ? 'changed' : 'unchanged';
  return {
    id,
    status,
    className: { ...(a ? { a: a.className } : {}), ...(b ? { b: b.className } : {}) },
    paramCount: count(a?.paramCount ?? 0, b?.paramCount ?? 0),
    trainableCount: count(a?.trainableCount ?? 0, b?.trainableCount ?? 0),
    shapes,
    modules,
    params,
    ...(order ? { order } : {}),
  };
}

function mergeOrder(a: string[], b: string[]): string[] {
  const out = [...b];
  a.forEach((id, i) => {
    if (out.includes(id)) return;
    // after the nearest earlier module of a that b also has
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const k = out.indexOf(a[j]!);
      if (k >= 0) { at = k + 1; break; }
    }
    out.splice(at, 0, id);
  });
  return out;
}

function diffModule(a: ModuleNode | undefined, b: ModuleNode | undefined, pa: readonly ParamNode[], pb: readonly ParamNode[], id: string): ModuleDiff {
  const params = diffParams(pa.filter((p) => p.module === id), pb.filter((p) => p.module === id));
  const config: ConfigChange[] = [];
  if (a && b) {
    const ca = new Map(configEntries(a));
    const cb = new Map(configEntries(b));
    for (const k of [...new Set([...ca.keys(), ...cb.keys()])]) {
      const va = ca.get(k);
      const vb = cb.get(k);
      if (va !== vb) config.push({ key: k, ...(va !== undefined ? { a: va } : {}), ...(vb !== undefined ? { b: vb } : {}) });
    }
  }
  const shapes = a && b ? diffTensors([...a.inputs.map((t) => ['in', t] as const), ...a.outputs.map((t) => ['out', t] as const)], [...b.inputs.map((t) => ['in', t] as const), ...b.outputs.map((t) => ['out', t] as const)]) : [];
  const changed = !a || !b || a.kind !== b.kind || config.length > 0 || shapes.length > 0 || params.added.length + params.removed.length + params.reshaped.length + params.retrained.length > 0;
  const bCount = pb.filter((p) => p.module === id).length;
  return {
    id,
    status: !a ? 'added' : !b ? 'removed' : changed ? 'changed' : 'unchanged',
    kind: { ...(a ? { a: a.kind } : {}), ...(b ? { b: b.kind } : {}) },
    config,
    shapes,
    params,
    paramCount: count(a?.paramCount ?? 0, b?.paramCount ?? 0),
    outputs: (b ?? a)!.outputs.map((t) => [...t.shape]),
    reusable: !!a && !!b && bCount > 0 && params.reusable === bCount,
  };
}

export function diffParams(a: readonly ParamNode[], b: readonly ParamNode[]): ParamChanges {
  const byName = new Map(a.map((p) => [p.name, p]));
  const inB = new Set(b.map((p) => p.name));
  const out: ParamChanges = { added: [], removed: [], reshaped: [], retrained: [], reusable: 0, reusableElements: 0 };
  for (const p of b) {
    const q = byName.get(p.name);
    if (!q) out.added.push(ref(p));
    else if (!sameShape(q.shape, p.shape)) out.reshaped.push({ name: p.name, a: q.shape, b: p.shape });
    else {
      out.reusable++;
      out.reusableElements += p.size ?? 0;
      const ta = training(q);
      const tb = training(p);
      if (ta !== tb) out.retrained.push({ name: p.name, a: ta, b: tb });
    }
  }
  for (const p of a) if (!inB.has(p.name)) out.removed.push(ref(p));
  return out;
}

const ref = (p: ParamNode): ParamRef => ({ name: p.name, shape: p.shape, size: p.size });
const training = (p: ParamNode) => (p.trainable ? `trainable (${p.phase ?? 'no phase'})` : 'frozen');

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

type Tagged = readonly (readonly ['in' | 'out', TensorNode])[];

function diffTensors(a: Tagged, b: Tagged): ShapeChange[] {
  const out: ShapeChange[] = [];
  for (const dir of ['in', 'out'] as const) {
    const ta = a.filter((x) => x[0] === dir).map((x) => x[1]);
    const tb = b.filter((x) => x[0] === dir).map((x) => x[1]);
    for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
      const x = ta[i];
      const y = tb[i];
      if (x && y && sameShape(x.shape, y.shape)) continue;
      const name = x && y ? (x.name === y.name ? x.name : `${x.name}/${y.name}`) : (x ?? y)!.name;
      out.push({ tensor: `${dir} ${name}`, ...(x ? { a: x.shape } : {}), ...(y ? { b: y.shape } : {}) });
    }
  }
  return out;
}
