import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../../compiler/spec.js';
import { explainYaml } from '../../../compiler/resolve/explain.js';

async function explained(file: string, set: string[] = []): Promise<string> {
  const r = await loadSpec(file, { set });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return explainYaml(r.spec, r.origins, { showOrigin: true });
}

/** The line of `explain --show-origin` for `key` under the block that starts with `under`. */
function line(text: string, under: string[], key: string): string {
  const lines = text.split('\n');
  let from = 0;
  for (const u of under) {
    from = lines.findIndex((l, i) => i >= from && l.trimStart().replace(/^- /, '').startsWith(`${u}:`));
    if (from < 0) throw new Error(`no block ${under.join('.')}`);
  }
  const hit = lines.find((l, i) => i > from && l.trimStart().replace(/^- /, '').startsWith(`${key}:`));
  if (!hit) throw new Error(`no ${key} under ${under.join('.')}`);
  return hit;
}

describe('attnc explain', () => {
  it('shows every value the original birds config (cfg/bird_attn2.yml, DAMSM/bird.yml) sets, with origins', async () => {
    const t = await explained('spec/attngan2.yaml');
    const expectations: Array<[string[], string, string, string]> = [
      [['train', 'gan'], 'batch_size', '20', 'spec/bases/birds.yaml'],
      [['train', 'gan'], 'epochs', '600', 'spec/bases/birds.yaml'],
      [['train', 'gan'], 'snapshot_interval', '50', 'spec/bases/birds.yaml'],
      [['train', 'gan', 'generator_optimizer'], 'lr', '0.0002', 'spec/bases/attngan.yaml'],
      [['train', 'gan', 'discriminator_optimizer'], 'lr', '0.0002', 'spec/bases/attngan.yaml'],
      [['train', 'gan', 'generator_optimizer'], 'beta1', '0.5', 'spec/bases/attngan.yaml'],
      [['train', 'gan', 'generator_optimizer'], 'beta2', '0.999', 'spec/bases/attngan.yaml'],
      [['train', 'gan', 'ema'], 'decay', '0.999', 'spec/bases/attngan.yaml'],
      [['train', 'damsm', 'optimizer'], 'lr', '0.002', 'spec/bases/attngan.yaml'],
      [['train', 'damsm', 'grad_clip'], 'max_norm', '0.25', 'spec/bases/attngan.yaml'],
      [['train', 'damsm'], 'batch_size', '48', 'spec/bases/birds.yaml'],
      [['losses'], 'gamma1', '4', 'spec/bases/birds.yaml'],
      [['losses'], 'gamma2', '5', 'spec/bases/birds.yaml'],
      [['losses'], 'gamma3', '10', 'spec/bases/birds.yaml'],
      [['losses'], 'lambda', '5', 'spec/bases/birds.yaml'],
      [['generator'], 'gf_dim', '32', 'spec/attngan2.yaml'],
      [['generator'], 'z_dim', '100', 'spec/bases/attngan.yaml'],
      [['generator'], 'condition_dim', '100', 'spec/bases/attngan.yaml'],
      [['generator', 'stages'], 'residual_blocks', '2', 'spec/attngan2.yaml'],
      [['discriminators'], 'df_dim', '64', 'spec/bases/birds.yaml'],
      [['data'], 'words_num', '18', 'spec/bases/birds.yaml'],
      [['data'], 'captions_per_image', '10', 'spec/bases/birds.yaml'],
      [['image_encoder'], 'embedding_dim', '256', 'spec/bases/attngan.yaml'],
      [['text_encoder'], 'hidden_dim', '256', 'spec/bases/attngan.yaml'],
      [['text_encoder'], 'weights', 'weights/DAMSMencoders/bird/text_encoder200.pth', 'spec/bases/birds.yaml'],
    ];
    for (const [under, key, value, file] of expectations) {
      const l = line(t, under, key);
      expect(l, `${under.join('.')}.${key}`).toMatch(new RegExp(`${key}: ${value.replace(/\./g, '\\.')}\\s+# from ${file.replace(/\./g, '\\.')}:\\d+$`));
    }
  });

  it('marks defaults and derived values', async () => {
    const t = await explained('spec/attngan2.yaml');
    expect(line(t, ['data'], 'long_captions')).toMatch(/# default$/);
    expect(t).toMatch(/- 256\s+# default \(derived from generator\.stages\)/);
  });

  it('shows overrides with their --set position', async () => {
    const t = await explained('spec/tiny.yaml', ['train.gan.batch_size=4', 'generator.stages[1].residual_blocks=2']);
    expect(line(t, ['train', 'gan'], 'batch_size')).toMatch(/batch_size: 4\s+# from <--set #1>:1$/);
    expect(line(t, ['generator', 'stages'], 'residual_blocks')).toMatch(/residual_blocks: 2\s+# from <--set #2>:1$/);
  });

  it('origins answer pointer lookups for the code generator', async () => {
    const r = await loadSpec('spec/attngan2.yaml');
    if (!r.ok) throw new Error('invalid');
    expect(r.origins.get('/generator/stages/1')).toMatchObject({ kind: 'file', file: 'spec/attngan2.yaml', line: 11, col: 7 });
    expect(r.origins.describe('/generator/stages/1')).toBe('spec/attngan2.yaml:11');
    expect(r.origins.describe('/train/gan/batch_size')).toBe('spec/bases/birds.yaml:31');
    expect(r.origins.describe('/data/long_captions')).toBe('default');
    // values that came from a default still locate to the nearest written ancestor
    expect(r.origins.locate('/generator/stages/1/attention/mask')).toMatchObject({ file: 'spec/attngan2.yaml', line: 11 });
  });
});
