// The built CLI validates with the precompiled standalone validator (compiler/validate/standalone.ts),
// the sources with the one compiled at run time: both must give the same errors for the same value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../compiler/spec.js';
import { specValidator } from '../../../compiler/validate/ajv.js';
import { standaloneValidatorSource } from '../../../compiler/validate/standalone.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'attnc-standalone-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE: unknown[] = [-1, 0, 0.5, 1e9, 'x', '', 'lstm', 'cnn', null, true, [], {}, [1, 2], { a: 1 }, 'synthbirds', 'adversarial'];

/** Every path to a value in a JSON-like tree. */
function paths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(value: unknown, rand: () => number): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const all = paths(copy).filter((p) => p.length > 0);
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const p = all[Math.floor(rand() * all.length)]!;
    let parent: any = copy;
    for (const k of p.slice(0, -1)) parent = parent?.[k];
    if (!parent || typeof parent !== 'object') continue;
    const key = p[p.length - 1]!;
    const op = Math.floor(rand() * 3);
    if (op === 0 && !Array.isArray(parent)) delete parent[key];
    else if (op === 1 && !Array.isArray(parent)) parent[`${String(key)}_x`] = 1;
    else parent[key] = GARBAGE[Math.floor(rand() * GARBAGE.length)];
  }
  return copy;
}

describe('precompiled spec validator', () => {
  it('gives the same errors as the validator compiled at run time, on the shipped specs and 400 mutations of them', async () => {
    // Its runtime helpers resolve from the repository, as they do from dist/compiler/validate/.
    const file = path.join(tmp, 'spec-validator.mjs');
    writeFileSync(file, standaloneValidatorSource().replace('createRequire(import.meta.url)', `createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))})`));
    const pre = ((await import(pathToFileURL(file).href)) as { default: ValidateFunction }).default;
    const live = specValidator();
    const rand = seeded(13);
    let invalid = 0;
    for (const name of ['tiny', 'attngan2', 'attngan2-coco', 'attndcgan']) {
      const spec = await loadSpec(path.join(ROOT, 'spec', `${name}.yaml`));
      expect(spec.ok).toBe(true);
      if (!spec.ok) continue;
      const values = [spec.spec, ...Array.from({ length: 100 }, () => mutate(spec.spec, rand))];
      for (const v of values) {
        const a = live(v);
        const errorsA = JSON.stringify(live.errors ?? null);
        const b = pre(v);
        const errorsB = JSON.stringify(pre.errors ?? null);
        expect(b).toBe(a);
        expect(errorsB).toBe(errorsA);
        if (!a) invalid++;
      }
    }
    // The mutations really exercise the error paths.
    expect(invalid).toBeGreaterThan(300);
  });
});
