import { describe, expect, it } from 'vitest';
import { classify, classifyModule, classifyNetwork, classifySpecChange, exitCodeForClass, maxClass } from '../../../compiler/diff/classify.js';
import { changedFiles, diffFiles } from '../../../compiler/emit/fileset.js';
import { diffGraphs, diffNetwork, diffParams } from '../../../compiler/diff/graph-diff.js';
import { valueText } from '../../../compiler/diff/render.js';
import { originText } from '../../../compiler/resolve/origins.js';
import { diffSpecs, sameValue } from '../../../compiler/diff/spec-diff.js';
import type { ModelGraph, ModuleNode, Network, ParamNode } from '../../../compiler/lower/graph.js';

// ── tiny hand-made graphs ──────────────────────────────────────────────────────────────────────────

const origin = { kind: 'file', file: 'x.yaml', line: 1, pointer: '' } as const;
const param = (module: string, name: string, shape: number[], trainable = true): ParamNode => ({
  name: module ? `${module}.${name}` : name,
  shape,
  torchShape: shape,
  size: shape.reduce((a, b) => a * b, 1),
  trainable,
  network: 'generator',
  module,
  phase: trainable ? 'gan' : null,
});
// Hand-made modules carry arbitrary constants: the diff compares any config key by key.
const mod = (id: string, params: ParamNode[], config: Record<string, number | string> = {}, out: number[] = [1]): ModuleNode => ({
  id,
  kind: 'image_head',
  config,
  inputs: [],
  outputs: [{ name: `${id}_out`, shape: ['B', ...out], dtype: 'float32' }],
  paramCount: params.reduce((s, p) => s + (p.size ?? 0), 0),
  trainableCount: 0,
  origin,
}) as unknown as ModuleNode;
function net(id: Network['id'], mods: Array<[string, ParamNode[], Record<string, number | string>?, number[]?]>): Network {
  const modules = mods.map(([m, ps, cfg, out]) => mod(m, ps, cfg, out));
  const params = mods.flatMap(([, ps]) => ps);
  const n = params.reduce((s, p) => s + (p.size ?? 0), 0);
  return { id, className: 'C', file: 'f.ts', modules, params, paramCount: n, trainableCount: n, inputs: [], outputs: [], origin };
}
const phase = { enabled: true, batchSize: 4, epochs: 1, seed: 0, snapshotInterval: 1, logEvery: 1 };
const plan: ModelGraph['plan'] = {
  name: 'g',
  specFile: 'x.yaml',
  specHash: '',
  noise: { z: 100, condition: 100, truncation: null },
  data: { dataset: { kind: 'coco', root: 'd' }, capsPerImage: 5, wordsNum: 18, longCaptions: 'random_drop', imageSizes: [64], augmentation: { resizeRatio: 1, randomCrop: true, horizontalFlip: true } },
  phases: { damsm: { ...phase, resetOptimizerEachEpoch: true }, gan: { ...phase, sampleEvery: 1 } },
  weights: { textEncoder: null, imageEncoder: null, imageEncoderTrunk: null, generator: null },
  evaluation: { batchSize: 1, metrics: [], sampling: { repeats: 1, captionsFile: null, attentionMaps: 'none' } },
};
const graph = (networks: Network[], imageSizes = [64]): ModelGraph => ({ graph: 1, name: 'g', description: '', specFile: 'x.yaml', specHash: '', vocabSize: null, wordsNum: 18, imageSizes, networks, phases: [], losses: [], plan });

// ── spec-diff ──────────────────────────────────────────────────────────────────────────────────────

describe('diffSpecs', () => {
  it('reports changed, added and removed values by JSON pointer, in document order', () => {
    const a = { name: 'a', train: { lr: 1, seed: 3 }, stages: [{ size: 64 }, { size: 128 }] };
    const b = { name: 'a', train: { lr: 2, ema: 0.9 }, stages: [{ size: 64 }, { size: 128 }, { size: 256 }] };
    expect(diffSpecs(a, b).map((c) => [c.op, c.pointer, c.path, c.a, c.b])).toEqual([
      ['changed', '/train/lr', 'train.lr', 1, 2],
      ['removed', '/train/seed', 'train.seed', 3, undefined],
      ['added', '/train/ema', 'train.ema', undefined, 0.9],
      ['added', '/stages/2', 'stages[2]', undefined, { size: 256 }],
    ]);
  });

  it('a value that changes between scalar and container is one change; equal containers are none', () => {
    expect(diffSpecs({ g: null }, { g: { max_norm: 1 } }).map((c) => c.pointer)).toEqual(['/g']);
    expect(diffSpecs({ a: [1, { b: [2] }] }, { a: [1, { b: [2] }] })).toEqual([]);
    expect(sameValue({ x: 1, y: [1] }, { y: [1], x: 1 })).toBe(true);
    expect(sameValue([1], [1, 2])).toBe(false);
  });

  it('attaches the origin of each side (only the side that has the value)', () => {
    const origins = { a: (p: string) => ({ kind: 'file' as const, file: 'a.yaml', line: p.length }), b: () => ({ kind: 'default' as const }) };
    const [changed, added] = diffSpecs({ x: 1 }, { x: 2, y: 3 }, origins);
    expect(changed).toMatchObject({ originA: { file: 'a.yaml', line: 2 }, originB: { kind: 'default' } });
    expect(added!.originA).toBeUndefined();
    expect(added!.originB).toEqual({ kind: 'default' });
  });
});

// ── graph-diff ─────────────────────────────────────────────────────────────────────────────────────

describe('diffParams / diffNetwork / diffGraphs', () => {
  const w = (shape: number[]) => param('h', 'weight', shape);
  it('matches parameters by name: added, removed, reshaped, reusable', () => {
    const d = diffParams([w([3, 3]), param('h', 'bias', [3])], [w([3, 4]), param('h', 'gamma', [4]), param('h', 'bias', [3])]);
    expect(d.added.map((p) => p.name)).toEqual(['h.gamma']);
    expect(d.removed).toEqual([]);
    expect(d.reshaped).toEqual([{ name: 'h.weight', a: [3, 3], b: [3, 4] }]);
    expect([d.reusable, d.reusableElements]).toEqual([1, 3]);
  });

  it('frozen ↔ trainable is a retrain, not a reshape', () => {
    const d = diffParams([param('', 'w', [2], true)], [param('', 'w', [2], false)]);
    expect(d.retrained).toEqual([{ name: 'w', a: 'trainable (gan)', b: 'frozen' }]);
    expect(d.reusable).toBe(1);
  });

  it('modules by stable id: added/removed/changed, config and output shapes, reusable modules', () => {
    const a = net('generator', [['m1', [param('m1', 'w', [2])]], ['m2', [param('m2', 'w', [2])], { c: 1 }], ['gone', [param('gone', 'w', [5])]]]);
    const b = net('generator', [['m1', [param('m1', 'w', [2])]], ['m2', [param('m2', 'w', [2])], { c: 2 }, [9]], ['new', [param('new', 'w', [7])]]]);
    const d = diffNetwork(a, b);
    expect(d.status).toBe('changed');
    expect(d.modules.map((m) => [m.id, m.status, m.reusable])).toEqual([
      ['m1', 'unchanged', true],
      ['m2', 'changed', true],
      ['gone', 'removed', false],
      ['new', 'added', false],
    ]);
    const m2 = d.modules[1]!;
    expect(m2.config).toEqual([{ key: 'c', a: 1, b: 2 }]);
    expect(m2.shapes).toEqual([{ tensor: 'out m2_out', a: ['B', 1], b: ['B', 9] }]);
    expect(d.paramCount).toEqual({ a: 9, b: 11, delta: 2 });
  });

  it('networks in a stable order with totals; added and removed networks', () => {
    const g = diffGraphs(graph([net('generator', [['m', [param('m', 'w', [2])]]]), net('discriminator_64', [])]), graph([net('discriminator_128', [['d', [param('d', 'w', [3])]]]), net('generator', [['m', [param('m', 'w', [2])]]])]));
    expect(g.networks.map((n) => [n.id, n.status])).toEqual([
      ['generator', 'unchanged'],
      ['discriminator_64', 'removed'],
      ['discriminator_128', 'added'],
    ]);
    expect(g.total).toEqual({ a: 2, b: 5, delta: 3 });
  });
});

// ── classify ───────────────────────────────────────────────────────────────────────────────────────

describe('classification', () => {
  it('orders classes and maps them to --exit-code', () => {
    expect(maxClass('none', 'training-only', 'weight-compatible')).toBe('weight-compatible');
    expect(maxClass()).toBe('none');
    expect(['none', 'training-only', 'weight-compatible', 'partially-compatible', 'breaking'].map((c) => exitCodeForClass(c as never))).toEqual([0, 1, 1, 2, 2]);
  });

  const change = (pointer: string) => classifySpecChange({ pointer, path: pointer, op: 'changed', a: 1, b: 2 });
  it.each([
    ['/name', 'none'],
    ['/description', 'none'],
    ['/losses/1/lambda', 'training-only'],
    ['/losses/1/gamma2', 'training-only'],
    ['/losses/0/weights/mismatched', 'training-only'],
    ['/losses/1/aggregation', 'weight-compatible'],
    ['/train/gan/generator_optimizer/lr', 'training-only'],
    ['/train/gan/batch_size', 'training-only'],
    ['/train/gan/ema/decay', 'training-only'],
    ['/train/gan/seed', 'training-only'],
    ['/evaluation/metrics/0/samples', 'training-only'],
    ['/data/augmentation/horizontal_flip', 'training-only'],
    ['/text_encoder/dropout', 'training-only'],
    ['/text_encoder/weights', 'training-only'],
    ['/generator/stages/1/attention/mask', 'weight-compatible'],
    ['/generator/gf_dim', 'weight-compatible'],
  ])('%s alone is %s', (pointer, cls) => {
    expect(change(pointer).class).toBe(cls);
  });

  it('an architecture value is breaking when the graph says its parameters changed', () => {
    const g = diffGraphs(graph([net('generator', [['h_net2', [param('h_net2', 'w', [2])]]])]), graph([net('generator', [['h_net2', [param('h_net2', 'w', [3])]]])]));
    const c = classifySpecChange({ pointer: '/generator/stages/1/residual_blocks', path: '', op: 'changed', a: 2, b: 3 }, g);
    expect(c.class).toBe('breaking');
    expect(c.reason).toBe('generator stage: changes the parameters of generator.h_net2');
    // a stage the graph did not touch keeps its own class
    expect(classifySpecChange({ pointer: '/generator/stages/0/size', path: '', op: 'changed', a: 2, b: 3 }, g).class).toBe('weight-compatible');
  });

  it('modules: params → breaking, config → weight-compatible, dropout → training-only', () => {
    const one = (a: Network, b: Network) => classifyModule(diffNetwork(a, b).modules[0]!);
    const p = [param('m', 'w', [2])];
    expect(one(net('generator', [['m', p]]), net('generator', [['m', [param('m', 'w', [3])]]])).class).toBe('breaking');
    expect(one(net('generator', [['m', p, { maskMode: 'correct' }]]), net('generator', [['m', p, { maskMode: 'original_bug' }]])).class).toBe('weight-compatible');
    expect(one(net('generator', [['m', p, { dropout: 0.5 }]]), net('generator', [['m', p, { dropout: 0.2 }]])).class).toBe('training-only');
    expect(one(net('generator', [['m', p]]), net('generator', [['m', p]])).class).toBe('none');
    expect(classifyNetwork(diffNetwork(undefined, net('discriminator_64', []))).reason).toBe('new network');
  });

  it('overall: partially-compatible while something loads, breaking when nothing does', () => {
    const keep = net('text_encoder', [['e', [param('e', 'w', [4])]]]);
    const g1 = diffGraphs(graph([keep, net('generator', [['m', [param('m', 'w', [2])]]])]), graph([keep, net('generator', [['m', [param('m', 'w', [3])]]])]));
    const c1 = classify([], g1);
    expect(c1).toMatchObject({ class: 'partially-compatible', exitCode: 2, reusableNetworks: ['text_encoder'], broken: [{ network: 'generator', reason: 'changed m' }] });
    const g2 = diffGraphs(graph([net('generator', [['m', [param('m', 'w', [2])]]])]), graph([net('generator', [['m', [param('m', 'w', [3])]]])]));
    expect(classify([], g2)).toMatchObject({ class: 'breaking', exitCode: 2, warmStart: [] });
    // warm start: one module of a broken network still loads
    const g3 = diffGraphs(graph([net('generator', [['a', [param('a', 'w', [2])]], ['m', [param('m', 'w', [2])]]])]), graph([net('generator', [['a', [param('a', 'w', [2])]], ['m', [param('m', 'w', [3])]]])]));
    expect(classify([], g3)).toMatchObject({ class: 'partially-compatible', warmStart: [{ network: 'generator', modules: ['a'], elements: 2, total: 5 }] });
  });

  it('overall: spec classes count when the graph is unchanged', () => {
    const g = diffGraphs(graph([]), graph([]));
    expect(classify([], g).class).toBe('none');
    expect(classify([change('/losses/1/lambda')], g).class).toBe('training-only');
    expect(classify([change('/losses/1/lambda'), change('/generator/stages/1/attention/mask')], g).class).toBe('weight-compatible');
  });
});

// ── file-tree diff and render helpers ───────────────────────────────────────────────────────────────────

describe('code diff', () => {
  it('one patch per differing file, sorted, manifest.json left out', () => {
    const a = new Map([['z.ts', 'x\n'], ['same.ts', 's\n'], ['gone.ts', 'g\n'], ['manifest.json', '{}']]);
    const b = new Map([['z.ts', 'y\n'], ['same.ts', 's\n'], ['a.ts', 'new\n'], ['manifest.json', '{"x":1}']]);
    const patches = diffFiles({ dir: 'generated/a', files: a }, { dir: 'generated/b', files: b }, { skip: (n) => n === 'manifest.json' });
    expect(patches.map((p) => [p.file, p.status])).toEqual([
      ['a.ts', 'added'],
      ['gone.ts', 'removed'],
      ['z.ts', 'changed'],
    ]);
    expect(patches[2]!.patch).toContain('--- a/generated/a/z.ts\n+++ b/generated/b/z.ts\n');
    expect(patches[2]!.patch).toContain('-x\n+y\n');
    expect(patches[0]!.patch).toContain('--- /dev/null');
    expect(changedFiles(a, b, (n) => n === 'manifest.json')).toEqual(patches.map((p) => ({ file: p.file, status: p.status })));
  });
});

describe('render helpers', () => {
  it('origins: file:line, default with its note, the --set text, the manifest', () => {
    expect(originText({ kind: 'base', file: 'spec/bases/birds.yaml', line: 21 })).toBe('spec/bases/birds.yaml:21');
    expect(originText({ kind: 'default', note: 'derived from generator.stages' })).toBe('default (derived from generator.stages)');
    expect(originText({ kind: 'override', file: '<--set #1>', line: 1, note: '--set-b losses[1].lambda=50' })).toBe('--set-b losses[1].lambda=50');
    expect(originText({ kind: 'override', file: '<--set #2>', line: 1 })).toBe('<--set #2>:1');
    expect(originText({ kind: 'manifest', file: 'generated/x/manifest.json' })).toBe('generated/x/manifest.json');
    expect(originText(undefined)).toBe('unknown');
  });

  it('values on one line in YAML flow style, shortened', () => {
    expect(valueText({ type: 'attention', size: 256 })).toBe('{ type: attention, size: 256 }');
    expect(valueText(null)).toBe('null');
    expect(valueText('x'.repeat(200), 10)).toBe('xxxxxxxxx…');
  });
});

describe('diffSpecs: lists of tagged items', () => {
  it('matches losses by type: a removed middle term does not shift the others', () => {
    const a = { losses: [{ type: 'adversarial', w: 1 }, { type: 'damsm', lambda: 5 }, { type: 'kl', weight: 1 }] };
    const b = { losses: [{ type: 'adversarial', w: 1 }, { type: 'kl', weight: 2 }] };
    const origins = { a: (p: string) => ({ kind: 'file' as const, file: 'a.yaml', line: p.length }), b: (p: string) => ({ kind: 'file' as const, file: 'b.yaml', line: p.length }) };
    const changes = diffSpecs(a, b, origins);
    expect(changes.map((c) => [c.op, c.path, c.a, c.b])).toEqual([
      ['changed', 'losses[1].weight', 1, 2],
      ['removed', 'losses[1]', { type: 'damsm', lambda: 5 }, undefined],
    ]);
    // each side's origin is looked up at its own index
    expect(changes[0]!.originA!.line).toBe('/losses/2/weight'.length);
    expect(changes[0]!.originB!.line).toBe('/losses/1/weight'.length);
  });

  it('lists whose types repeat (generator stages) compare by index', () => {
    const a = { stages: [{ type: 'init' }, { type: 'attention', r: 2 }] };
    const b = { stages: [{ type: 'init' }, { type: 'attention', r: 2 }, { type: 'attention', r: 2 }] };
    expect(diffSpecs(a, b).map((c) => [c.op, c.path])).toEqual([['added', 'stages[2]']]);
  });
});
