import * as fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { specHash } from '../../../compiler/lower/hash.js';
import { loadSpec } from '../../../compiler/pipeline.js';
import { parentPointer, splitPointer } from '../../../compiler/parse/pointer.js';
import { ROOT, SHIPPED } from './helpers.js';

async function resolved(name: string, set: string[] = []) {
  const r = await loadSpec(path.join(ROOT, 'spec', `${name}.yaml`), { cwd: ROOT, set });
  if (!r.ok) throw new Error(`spec ${name} invalid: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r;
}

/** A copy of `spec` without the value at `pointer`: the spec as an attnc without that key resolved it. */
function without(spec: unknown, pointer: string): unknown {
  const copy = structuredClone(spec) as Record<string, unknown>;
  const segs = splitPointer(pointer);
  let node: any = copy;
  for (const s of segs.slice(0, -1)) node = node[s];
  delete node[segs.at(-1)!];
  return copy;
}

describe('the spec hash', () => {
  it.each([...SHIPPED, 'tiny-dfgan', 'tiny-dmgan'])('%s: dropping any key filled from its schema default (a key an older attnc did not have) keeps the hash', async (name) => {
    const r = await resolved(name);
    const hash = specHash(r.spec);
    // The outermost defaulted places (a defaulted map's keys go with it), not values derived from others.
    const defaulted = [...r.origins.entries()].filter(([, o]) => o.kind === 'default' && !o.note?.startsWith('derived')).map(([p]) => p);
    const outermost = defaulted.filter((p) => !defaulted.includes(parentPointer(p)!));
    expect(outermost.length).toBeGreaterThan(20);
    expect(outermost).toContain(`/losses/${r.spec.losses.findIndex((l) => l.type === 'damsm')}/negative_queue`);
    for (const p of outermost) expect(specHash(without(r.spec, p)), p).toBe(hash);
    // All of them at once: the spec as written plus the derived image sizes.
    let bare: unknown = r.spec;
    for (const p of [...outermost].reverse()) bare = without(bare, p);
    expect(specHash(bare)).toBe(hash);
  });

  it('the generated folders carry it', async () => {
    for (const name of ['tiny', 'attngan2']) {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'generated', name, 'manifest.json'), 'utf8'));
      expect(manifest.spec.sha256).toBe(specHash((await resolved(name)).spec));
    }
  });

  it('a value written out at its default (in a list item too) keeps it; any other value changes it', async () => {
    const base = specHash((await resolved('tiny')).spec);
    const same = [
      'losses[1].negative_queue=0',
      'losses[1].warmup_steps=0',
      'generator.stages[1].attention.mask=correct',
      'train.gan.grad_clip=null',
      'discriminators.spectral_norm=false',
      'evaluation.sampling.attention_maps=top_words',
    ];
    for (const s of same) expect(specHash((await resolved('tiny', [s])).spec), s).toBe(base);
    const changed = [
      'losses[1].negative_queue=64',
      'generator.stages[1].attention.mask=original_bug',
      'generator.stages[0].channels_mult=16',
      'train.gan.ema=null',
      'train.gan.ema.decay=0.999',
      'train.gan.epochs=21',
      'data.dataset.images=2001',
    ];
    const hashes = new Set([base]);
    for (const s of changed) hashes.add(specHash((await resolved('tiny', [s])).spec));
    expect(hashes.size).toBe(changed.length + 1);
  });
});
