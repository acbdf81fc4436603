import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/attnc.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-cli-sample-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('attnc sample / attnc eval (CLI)', () => {
  it('samples usable captions, reports unknown words by name, and exits 1 for unusable ones with nothing written for them', () => {
    const out = path.join(tmp, 's');
    const r = run('sample', 'spec/tiny.yaml', '--text', 'this bird has red wings and a glorbish belly', '--text', '', '--text', 'qwzx zzyzx', '--out', out, '--seed', '3');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('caption 1: unknown word dropped: "glorbish"');
    expect(r.stderr).toContain('error: caption 2: caption "" has no words; nothing written for it');
    expect(r.stderr).toContain('error: caption 3: caption "qwzx zzyzx" has no word the model knows (unknown: qwzx, zzyzx)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(out).sort()).toEqual(['c0000', 'index.html']);
    expect(r.stdout).toContain('1 image(s) for 1 caption(s)');
    // The model's name as the spec writes it, after the ✓ (issue 20, item 14: "My-birds").
    expect(r.stdout).toMatch(/^✓ tiny \(spec\/tiny\.yaml /);
  });

  it('usage errors exit 2 with a hint', () => {
    const none = run('sample', 'spec/tiny.yaml');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no captions given');
    const shard = run('eval', 'spec/tiny.yaml', '--shard', '3/3');
    expect(shard.status).toBe(2);
    expect(shard.stderr).toContain('--shard must be k/n with 0 ≤ k < n, got "3/3"');
    const metric = run('eval', 'spec/tiny.yaml', '--metrics', 'rprecision,bleu', '--samples', '2');
    expect(metric.status).toBe(2);
    expect(metric.stderr).toContain('unknown metric "bleu"');
  });

  it('eval --merge refuses folders without partial results, clearly', () => {
    const r = run('eval', '--merge', path.join(tmp, 'nothing-here'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nothing-here\/partial\.json: missing or not JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('eval of a spec (untrained baseline) writes report.json and report.md with the protocol', () => {
    const out = path.join(tmp, 'e');
    const r = run('eval', 'spec/tiny.yaml', '--metrics', 'rprecision', '--samples', '12', '--batch-size', '6', '--examples', '3', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.generated).toBe(12);
    expect(report.protocol.rprecision).toMatchObject({ candidates: 20, folds: 2 });
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('R-precision (R=1, 20 candidates)');
    expect(fs.existsSync(path.join(out, 'examples.png'))).toBe(true);
  });

  it('eval --metrics attributes writes each sample\'s stated and read attributes, and they add up to the report', () => {
    const out = path.join(tmp, 'a');
    const r = run('eval', 'spec/tiny.yaml', '--metrics', 'attributes', '--samples', '12', '--batch-size', '6', '--examples', '0', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    const lines = fs.readFileSync(path.join(out, 'attributes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { g: number; caption: string; stated: Record<string, string>; read: Record<string, string> });
    expect(lines.map((l) => l.g)).toEqual(Array.from({ length: 12 }, (_, g) => g));
    for (const name of ['wing', 'belly', 'crown', 'beak', 'size', 'background']) {
      const stated = lines.filter((l) => l.stated[name] !== undefined);
      const { n, accuracy } = report.attributes.generated[name] as { n: number; accuracy: number };
      expect(stated.length, name).toBe(n);
      expect(stated.filter((l) => l.read[name] === l.stated[name]).length, name).toBe(Math.round((accuracy * n) / 100));
    }
    expect(lines.every((l) => l.caption.length > 0 && typeof l.read.wing === 'string')).toBe(true);
  });

  it('samples from a checkpoint that attnc train wrote (its vocabulary, EMA generator), writing beside the run', () => {
    const runDir = path.join(tmp, 'run');
    // One short DAMSM epoch (4 steps), then 2 GAN steps: a complete checkpoint with an EMA generator.
    const t = run('train', 'generated/tiny', '--out', runDir, '--set', 'train.damsm.epochs=1', '--set', 'data.dataset.images=80', '--max-steps', '6');
    expect(t.status, t.stderr).toBe(0);
    const r = run('sample', runDir, '--text', 'a bird with red wings', '--seed', '1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tiny \(.*gan step \d+\)\): 1 image\(s\) for 1 caption\(s\)/);
    expect(fs.readdirSync(path.join(runDir, 'sample', 'c0000')).sort()).toEqual(['s0_a0.png', 's0_g0.png', 's0_g1.png']);
    expect(fs.readFileSync(path.join(runDir, 'sample', 'index.html'), 'utf8')).toContain('(ema generator weights)');
  });
});
