import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { catalog, loadSpec, renderDiagnostics } from '../../../compiler/spec.js';
import type { Diagnostic } from '../../../compiler/spec.js';
import { Rng } from '../../../runtime/util/rng.js';

/** The runtime's seeded integer stream (`Rng.stream`): small, seeded, reproducible. */
function rng(seed: number) {
  return Rng.stream(seed);
}
type R = ReturnType<typeof rng>;

const GARBAGE_VALUES = ['-1', '0', '1e308', '-1e-9', '.nan', '.inf', '3.5', '"12"', 'yes', 'null', '[]', '{}', '[1, 2]', '{ a: 1 }', 'attention', 'lsmt', '""', '~', '!!str 5', '"\\u0000"', '2.5e-4', '1000000000000'];
const TEXT_SNIPPETS = ['{', '}', '[', ']', ':', ': :', '- ', '\t', '"', "'", '*x', '&a ', '!!binary ', '? ', '---\n', '%YAML 1.2\n', '#', '\n  ', 'extends: nope.yaml\n', '$replace: true\n', '<<: *a\n'];
const KEYS = ['batch_size', 'gf_dim', 'stages', 'type', 'size', 'extends', '$replace', 'losses', 'lambda', 'kind', 'weights', '__proto__', 'constructor', 'x'];
const SET_PATHS = ['train.gan.batch_size', 'generator.stages[1].residual_blocks', 'generator.stages[0]', 'generator.stages[9].size', 'losses[1].stage', 'data', 'data.dataset.kind', 'text_encoder.rnn', 'nope.x', 'generator..gf_dim', 'generator.stages[x]', 'extends', '', 'image_encoder.type', 'train.damsm.schedule'];

function mutateStructure(text: string, r: R): string {
  const doc = parseDocument(text);
  if (doc.errors.length) return mutateText(text, r);
  const nodes: Array<{ parent: Node; key: unknown; node: unknown }> = [];
  visit(doc, {
    Pair(_k, pair, p) {
      const parent = p[p.length - 1];
      if (parent && isMap(parent)) nodes.push({ parent: parent as Node, key: pair.key, node: pair });
    },
    Seq(_k, seq) { for (let i = 0; i < seq.items.length; i++) nodes.push({ parent: seq as Node, key: i, node: seq.items[i] }); },
  });
  if (nodes.length === 0) return text;
  const t = r.pick(nodes);
  const op = r.int(7);
  if (isMap(t.parent)) {
    const pair = t.node as { key: unknown; value: unknown };
    const keyStr = isScalar(pair.key) ? String(pair.key.value) : 'k';
    if (op === 0) t.parent.items.splice(t.parent.items.indexOf(pair as never), 1);                     // drop key
    else if (op === 1) pair.key = doc.createNode(typo(keyStr, r));                                     // rename key
    else if (op === 2) pair.value = doc.createNode(parseGarbage(r));                                   // change value/type
    else if (op === 3) t.parent.items.push(doc.createPair(r.pick(KEYS), parseGarbage(r)) as never);    // add key
    else if (op === 4 && isScalar(pair.value) && typeof pair.value.value === 'number') pair.value = doc.createNode(r.pick([-1, 0, -0.5, 1e9, 2 ** 31, 0.5, Number.NaN, 7]));
    else if (op === 5) pair.value = doc.createNode(r.pick([[], {}, null, 'x', [pair.value as never]]));
    else pair.value = doc.createNode(r.pick([true, false, 3, 'last', 'cnn']));
  } else if (isSeq(t.parent)) {
    const i = t.key as number;
    if (op < 3) t.parent.items.splice(i, 1);
    else if (op < 5) t.parent.items.splice(i, 0, t.parent.items[i] as never);
    else t.parent.items[i] = doc.createNode(parseGarbage(r)) as never;
  }
  try {
    return doc.toString();
  } catch {
    return mutateText(text, r);
  }
}

function mutateText(text: string, r: R): string {
  const lines = text.split('\n');
  switch (r.int(6)) {
    case 0: { const i = r.int(text.length + 1); return text.slice(0, i) + r.pick(TEXT_SNIPPETS) + text.slice(i); }
    case 1: lines.splice(r.int(lines.length), 1); return lines.join('\n');
    case 2: { const i = r.int(lines.length); lines.splice(i, 0, lines[i]!); return lines.join('\n'); }
    case 3: { const i = r.int(lines.length); lines[i] = (r.next() < 0.5 ? ' ' : '   ') + lines[i]; return lines.join('\n'); }
    case 4: return text.slice(0, r.int(text.length));
    default: { const i = r.int(text.length); return text.slice(0, i) + String.fromCharCode(r.int(0x2fff)) + text.slice(i + 1); }
  }
}

function typo(s: string, r: R): string {
  if (s.length < 2) return s + 'x';
  const i = r.int(s.length - 1);
  switch (r.int(3)) {
    case 0: return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
    case 1: return s.slice(0, i) + s.slice(i + 1);
    default: return s.slice(0, i) + 'q' + s.slice(i);
  }
}

function parseGarbage(r: R): unknown {
  return parseDocument(r.pick(GARBAGE_VALUES)).toJS();
}

function checkDiagnostics(diags: Diagnostic[], label: string): void {
  for (const d of diags) {
    expect(Object.keys(catalog), `${label}: unknown code ${d.code}`).toContain(d.code);
    expect(d.file, `${label}: ${d.code} without file`).toBeTruthy();
    expect(d.line, `${label}: ${d.code} "${d.message}" without line`).toBeGreaterThanOrEqual(1);
    expect(d.col, `${label}: ${d.code} "${d.message}" without col`).toBeGreaterThanOrEqual(1);
    expect(typeof d.message).toBe('string');
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'attnc-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('spec fuzzing', () => {
  it('1,200 seeded mutations of the shipped specs: every result is valid or located diagnostics, never an exception', async () => {
    cpSync('spec', path.join(tmp, 'spec'), { recursive: true });
    const files = [
      ...readdirSync('spec').filter((f) => f.endsWith('.yaml')),
      ...readdirSync('spec/bases').map((f) => `bases/${f}`),
    ];
    const mains = files.filter((f) => !f.startsWith('bases/'));
    const r = rng(20180326);
    const counts = { ok: 0, invalid: 0 };
    for (let iter = 0; iter < 1200; iter++) {
      const main = r.pick(mains);
      const target = r.next() < 0.75 ? main : r.pick(files);
      const targetPath = path.join(tmp, 'spec', target);
      const original = readFileSync(path.join('spec', target), 'utf8');
      let text = original;
      const n = 1 + r.int(3);
      for (let k = 0; k < n; k++) text = r.next() < 0.6 ? mutateStructure(text, r) : mutateText(text, r);
      const sets = r.next() < 0.2 ? [`${r.pick(SET_PATHS)}=${r.pick(GARBAGE_VALUES)}`] : [];
      writeFileSync(targetPath, text);
      const label = `iteration ${iter} (${target}${sets.length ? ` --set ${sets[0]}` : ''})`;
      try {
        const result = await loadSpec(path.join(tmp, 'spec', main), { set: sets });
        checkDiagnostics(result.diagnostics, label);
        const rendered = renderDiagnostics(result.diagnostics, { sources: result.sourceFiles });
        renderDiagnostics(result.diagnostics, { format: 'json' });
        expect(rendered, label).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        if (result.ok) counts.ok++;
        else {
          expect(result.diagnostics.some((d) => d.severity === 'error'), label).toBe(true);
          counts.invalid++;
        }
      } catch (e) {
        throw new Error(`${label} threw: ${e instanceof Error ? e.stack : String(e)}\n--- mutated text ---\n${text}`);
      } finally {
        writeFileSync(targetPath, original);
      }
    }
    expect(counts.ok + counts.invalid).toBe(1200);
    expect(counts.invalid).toBeGreaterThan(500);
  }, 600_000);
});
