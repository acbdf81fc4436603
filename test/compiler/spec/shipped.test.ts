import { describe, expect, it } from 'vitest';
import { loadSpec, renderDiagnostics } from '../../../compiler/spec.js';

const shipped = ['spec/attngan1.yaml', 'spec/attngan2.yaml', 'spec/attngan2-coco.yaml', 'spec/attndcgan.yaml', 'spec/tiny.yaml'];

describe('shipped specs', () => {
  for (const file of shipped) {
    it(`${file} validates with no diagnostics`, async () => {
      const r = await loadSpec(file);
      if (!r.ok) throw new Error(renderDiagnostics(r.diagnostics, { sources: r.sourceFiles }));
      expect(r.diagnostics).toEqual([]);
    });
  }

  it('attngan2 resolves to the original birds configuration', async () => {
    const r = await loadSpec('spec/attngan2.yaml');
    if (!r.ok) throw new Error('invalid');
    const s = r.spec;
    expect(s.generator.gf_dim).toBe(32);
    expect(s.generator.stages.map((x) => x.size)).toEqual([64, 128, 256]);
    expect(s.discriminators.df_dim).toBe(64);
    expect(s.train.gan.batch_size).toBe(20);
    expect(s.data.image_sizes).toEqual([64, 128, 256]);
    const damsm = s.losses.find((l) => l.type === 'damsm');
    expect(damsm).toMatchObject({ lambda: 5, gamma1: 4, gamma2: 5, gamma3: 10, stage: 'last' });
    expect(r.origins.describe('/generator/gf_dim')).toBe('spec/attngan2.yaml:8');
    expect(r.origins.get('/train/gan/batch_size')).toMatchObject({ kind: 'base', file: 'spec/bases/birds.yaml' });
    expect(r.origins.get('generator.stages[1]')).toMatchObject({ kind: 'file', file: 'spec/attngan2.yaml', line: 11 });
    expect(r.origins.get('/train/gan/init')?.kind).toBe('base');
    expect(r.origins.get('/data/long_captions')?.kind).toBe('default');
  });
});
