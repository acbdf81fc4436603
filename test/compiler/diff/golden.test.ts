import { describe, expect, it } from 'vitest';
import { renderDiffJson, renderDiffText } from '../../../compiler/diff/render.js';
import { diffOf, golden } from './helpers.js';

/** Rendered `attnc diff` output for the shipped specs and single-value changes (UPDATE_GOLDEN=1 rewrites). */
describe('attnc diff golden output', () => {
  it('attngan1 → attngan2: the added attention stage, the new discriminator, the parameter change', async () => {
    const r = await diffOf('spec/attngan1.yaml', 'spec/attngan2.yaml');
    const text = renderDiffText(r);
    expect(text).toContain('attngan1 → attngan2: +1 stage, +1 discriminator; parameters G +268,000 (6,816,592 → 7,084,592)');
    expect(text).toMatch(/\+ generator\.stages\[2\] +breaking/);
    expect(text).toMatch(/\+ h_net3 +attention_stage +267,136 +\+267,136 +→ \[B, 256, 256, 32\], \[B, 128, 128, T\]/);
    expect(text).toMatch(/\+ discriminator_256 +— +71,858,946 +\+71,858,946 +breaking/);
    expect(r.classification.class).toBe('partially-compatible');
    expect(r.classification.exitCode).toBe(2);
    expect(r.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder', 'discriminator_64', 'discriminator_128']);
    expect(r.classification.warmStart).toEqual([{ network: 'generator', modules: ['ca_net', 'h_net1', 'img_net1', 'h_net2', 'img_net2'], elements: 6_816_592, total: 7_084_592 }]);
    await golden('attngan1-attngan2.txt', text);
    await golden('attngan1-attngan2.json', renderDiffJson(r));
  });

  it('attngan2 → attngan2-coco: vocabulary, gf_dim, df_dim and residual blocks break; the image encoder loads', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2-coco.yaml');
    expect(r.classification.class).toBe('partially-compatible');
    expect(r.classification.reusableNetworks).toEqual(['image_encoder']);
    const byPath = Object.fromEntries(r.spec.map((c) => [c.path, c.class]));
    expect(byPath).toMatchObject({ 'data.dataset.kind': 'breaking', 'generator.gf_dim': 'breaking', 'losses[1].lambda': 'training-only', 'train.gan.batch_size': 'training-only', name: 'none' });
    await golden('attngan2-attngan2-coco.txt', renderDiffText(r));
  });

  it('attngan2 → attndcgan: heads, residual blocks and discriminators', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attndcgan.yaml');
    expect(r.classification.class).toBe('partially-compatible');
    expect(r.graph.networks.filter((n) => n.status === 'removed').map((n) => n.id)).toEqual(['discriminator_64', 'discriminator_128']);
    const residual = r.spec.find((c) => c.path === 'generator.stages[1].residual_blocks')!;
    expect(residual.class).toBe('breaking');
    expect(residual.reason).toBe('generator stage: changes the parameters of generator.h_net2, generator.img_net2');
    await golden('attngan2-attndcgan.txt', renderDiffText(r));
  });

  it('attngan2 → dmgan: word attention replaced by dynamic memory, gf/df dims, DM-GAN schedule', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/dmgan.yaml');
    expect(r.classification.class).toBe('partially-compatible');
    expect(r.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder']);
    const stage = r.spec.find((c) => c.path === 'generator.stages[1].type')!;
    expect([stage.a, stage.b, stage.class]).toEqual(['attention', 'memory', 'breaking']);
    const g = r.graph.networks.find((n) => n.id === 'generator')!;
    expect(g.modules.find((m) => m.id === 'h_net2')!.kind).toEqual({ a: 'attention_stage', b: 'memory_stage' });
    await golden('attngan2-dmgan.txt', renderDiffText(r));
  });

  it('tiny → tiny-dmgan: the family change alone (one stage type, spectrally normalised discriminators)', async () => {
    const r = await diffOf('spec/tiny.yaml', 'spec/tiny-dmgan.yaml');
    expect(r.spec.filter((c) => c.class !== 'none').map((c) => [c.path, c.class])).toEqual([
      ['generator.stages[1]', 'breaking'], // the stage replaced whole ($replace)
      ['generator.stages[1]', 'breaking'],
      ['discriminators.spectral_norm', 'breaking'],
    ]);
    expect(r.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder']);
    await golden('tiny-tiny-dmgan.txt', renderDiffText(r));
  });

  it('attngan2 → dfgan: three stages become one fusion stage, three discriminators one one-way D, new losses', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/dfgan.yaml');
    expect(r.classification.class).toBe('partially-compatible');
    expect(r.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder']);
    const byPath = Object.fromEntries(r.spec.map((c) => [c.path, c.class]));
    expect(byPath).toMatchObject({ 'generator.stages[0].type': 'breaking', 'discriminators.type': 'breaking', 'losses[0]': 'weight-compatible', 'train.gan.init': 'training-only', 'evaluation.sampling.truncation': 'training-only' });
    const g = r.graph.networks.find((n) => n.id === 'generator')!;
    expect(g.modules.filter((m) => m.status === 'added').map((m) => m.id)).toEqual(['fc', 'GBlocks.0', 'GBlocks.1', 'GBlocks.2', 'GBlocks.3', 'GBlocks.4', 'GBlocks.5', 'to_rgb']);
    expect(r.graph.networks.filter((n) => n.status === 'removed').map((n) => n.id)).toEqual(['discriminator_64', 'discriminator_128']);
    await golden('attngan2-dfgan.txt', renderDiffText(r));
  });

  it('tiny → tiny-dfgan: the family change alone (generator, discriminator, losses, DF-GAN optimisers)', async () => {
    const r = await diffOf('spec/tiny.yaml', 'spec/tiny-dfgan.yaml');
    expect(r.classification.reusableNetworks).toEqual(['text_encoder', 'image_encoder']);
    await golden('tiny-tiny-dfgan.txt', renderDiffText(r));
  });

  it('the memory reading mask mode is weight-compatible', async () => {
    const r = await diffOf('spec/dmgan.yaml', 'spec/dmgan.yaml', { setB: ['generator.stages[1].memory.mask=correct'] });
    expect(r.classification).toMatchObject({ class: 'weight-compatible', exitCode: 1 });
  });

  it('a λ change is training-only', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2.yaml', { setB: ['losses[1].lambda=50'] });
    expect(r.spec).toHaveLength(1);
    expect(r.spec[0]).toMatchObject({ path: 'losses[1].lambda', a: 5, b: 50, class: 'training-only', originA: { kind: 'base', file: 'spec/bases/birds.yaml', line: 21 } });
    expect(r.classification).toMatchObject({ class: 'training-only', exitCode: 1 });
    await golden('lambda.txt', renderDiffText(r));
    await golden('lambda.json', renderDiffJson(r));
  });

  it('the attention mask mode is weight-compatible', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2.yaml', { setB: ['generator.stages[1].attention.mask=original_bug'] });
    expect(r.classification).toMatchObject({ class: 'weight-compatible', exitCode: 1 });
    const g = r.graph.networks.find((n) => n.id === 'generator')!;
    expect(g.modules.filter((m) => m.status !== 'unchanged').map((m) => [m.id, m.config])).toEqual([['h_net2', [{ key: 'maskMode', a: 'correct', b: 'original_bug' }]]]);
    await golden('mask.txt', renderDiffText(r));
  });

  it('unfreezing the Inception trunk is training-only: same tensors, more of them trained', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2.yaml', { setB: ['image_encoder.freeze_trunk=false'] });
    expect(r.classification).toMatchObject({ class: 'training-only', exitCode: 1 });
    const enc = r.graph.networks.find((n) => n.id === 'image_encoder')!;
    const trunk = enc.modules.find((m) => m.id === '')!;
    expect(trunk.config).toEqual([{ key: 'frozen', a: true, b: false }]);
    expect(trunk.params.retrained.length).toBe(trunk.params.reusable);
    expect(r.code.map((c) => c.file)).toContain('image-encoder.ts');
  });

  it('tiny → attngan2: nothing loads, breaking', async () => {
    const r = await diffOf('spec/tiny.yaml', 'spec/attngan2.yaml');
    expect(r.classification).toMatchObject({ class: 'breaking', exitCode: 2, reusableNetworks: [], warmStart: [] });
    expect(renderDiffText(r)).toContain('breaking: nothing loads from a checkpoint of tiny: text_encoder (changed encoder, rnn), image_encoder,');
  });

  it('identical specs: none', async () => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2.yaml');
    expect(r.spec).toEqual([]);
    expect(r.code).toEqual([]);
    expect(r.classification).toMatchObject({ class: 'none', exitCode: 0 });
    await golden('identical.txt', renderDiffText(r));
  });

  it('--patch: the unified diff of the generated code holds the new AttentionStage3 class', async () => {
    const r = await diffOf('spec/attngan1.yaml', 'spec/attngan2.yaml', { patch: true });
    const gen = r.patch!.find((p) => p.file === 'generator.ts')!;
    expect(gen.patch).toContain('--- a/generated/attngan1/generator.ts');
    expect(gen.patch).toContain('+++ b/generated/attngan2/generator.ts');
    expect(gen.patch).toContain('+export class AttentionStage3 extends Module {');
    expect(r.patch!.map((p) => p.file)).toEqual([...r.patch!.map((p) => p.file)].sort());
    expect(r.patch!.some((p) => p.file === 'manifest.json')).toBe(false);
    const text = renderDiffText(r);
    expect(text).toContain('+export class AttentionStage3 extends Module {');
    expect(text.indexOf('classification')).toBeLessThan(text.indexOf('--- a/generated/attngan1/'));
  });
});

describe('single overrides of attngan2 and their class', () => {
  it.each([
    ['train.damsm.enabled=true', 'training-only'],
    ['image_encoder.freeze_trunk=false', 'training-only'],
    ['train.gan.ema=null', 'training-only'],
    ['losses[1].aggregation=paper', 'weight-compatible'],
    ['text_encoder.rnn=gru', 'partially-compatible'],
    ['generator.z_dim=128', 'partially-compatible'],
  ])('--set-b %s → %s', async (set, cls) => {
    const r = await diffOf('spec/attngan2.yaml', 'spec/attngan2.yaml', { setB: [set] });
    expect(r.classification.class).toBe(cls);
  });
});

describe('docs/diff.md', () => {
  // Each example block follows a `<!-- golden: NAME -->` marker and must equal that golden file;
  // UPDATE_GOLDEN=1 rewrites the blocks (run it after the goldens above are up to date).
  it('shows the current rendered output', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { GOLDEN, ROOT } = await import('./helpers.js');
    const docPath = path.join(ROOT, 'docs/diff.md');
    const doc = readFileSync(docPath, 'utf8');
    const block = /<!-- golden: ([\w.-]+) -->\n```text\n([\s\S]*?)```/g;
    const names = [...doc.matchAll(block)].map((m) => m[1]!);
    expect(names).toEqual(['attngan1-attngan2.txt', 'lambda.txt', 'mask.txt', 'attngan2-dmgan.txt', 'attngan2-dfgan.txt', 'identical.txt']);
    const updated = doc.replace(block, (_, name: string) => `<!-- golden: ${name} -->\n\`\`\`text\n${readFileSync(path.join(GOLDEN, name), 'utf8')}\`\`\``);
    if (process.env.UPDATE_GOLDEN) writeFileSync(docPath, updated);
    expect(doc, 'docs/diff.md examples are stale: run UPDATE_GOLDEN=1 npx vitest run test/compiler/diff').toBe(updated);
  });
});
