import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest, resolveCheckpoint } from '../../runtime/io/checkpoint.js';

// `attnc train` as a user runs it: a child process on the generated tiny model.
const repo = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-train-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const small = ['--set', 'data.dataset.images=160', '--set', 'train.damsm.batch_size=8', '--set', 'train.damsm.log_every=1', '--set', 'train.gan.batch_size=4'];
const attnc = (...args: string[]) => spawnSync(process.execPath, ['bin/attnc.mjs', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('attnc train (CLI)', () => {
  it('runs with bounds and prints where everything went', () => {
    const out = path.join(tmp, 'bounded');
    const r = attnc('train', 'generated/tiny', '--out', out, '--max-steps', '3', ...small);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('stopped (max-steps) after 3 steps');
    expect(r.stdout).toMatch(/last checkpoint .*damsm-00000003/);
    // A run folder outside the working folder is printed absolute, never as ../../tmp/… (issue 20, item 12).
    expect(r.stdout).toContain(`  run folder      ${out}\n`);
    expect(r.stdout).toContain(`  last checkpoint ${path.join(out, 'checkpoints', 'damsm-00000003')}\n`);
    expect(r.stderr).toContain(`→ ${out}\n`);
    expect(r.stdout + r.stderr).not.toContain('../');
    expect(fs.readFileSync(path.join(out, 'resolved.yaml'), 'utf8')).toMatch(/images: 160 +# from <--set #1>/);
    expect(readManifest(resolveCheckpoint(out)).progress.step).toBe(3);
  });

  it('refuses a spec in place of a generated folder, code-changing --set, and --phase gan without encoders', () => {
    const a = attnc('train', 'spec/tiny.yaml');
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('spec/tiny.yaml is a spec; train, sample and eval take its generated folder');
    const b = attnc('train', 'generated/tiny', '--set', 'generator.gf_dim=16');
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--set generator\.gf_dim: this value is compiled into the model code/);
    const c = attnc('train', 'generated/tiny', '--phase', 'gan', '--out', path.join(tmp, 'gan-only'), ...small);
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('the GAN phase needs trained DAMSM encoders');
    expect(c.stderr).not.toMatch(/internal error/);
  });

  it('SIGINT finishes the step, writes a checkpoint and exits 130', async () => {
    const out = path.join(tmp, 'sigint');
    const child = spawn(process.execPath, ['bin/attnc.mjs', 'train', 'generated/tiny', '--out', out, ...small], { cwd: repo, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const metrics = path.join(out, 'metrics.jsonl');
    const deadline = Date.now() + 90_000;
    while (!(fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').split('\n').length > 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(stdout).toContain('stopped (SIGINT)');
    const m = readManifest(resolveCheckpoint(out));
    expect(m.phase).toBe('damsm');
    expect(m.progress.step).toBeGreaterThanOrEqual(3);
  });
});
