import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../../bin/attnc.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-setup-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ATTNC_CACHE_DIR: path.join(tmp, 'cache') } });

describe('attnc setup and the GPU options on the command line', () => {
  it('--from without --gpu is a usage error', () => {
    const r = run('setup', '--from', 'wheels');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--from and --no-driver-check go with --gpu');
  });

  it('a folder without the wheels: one clear error, exit 1, no stack trace, the path as written', () => {
    fs.mkdirSync(path.join(tmp, 'empty'));
    const r = spawnSync(process.execPath, [bin, 'setup', '--gpu', '--no-driver-check', '--from', 'empty'], { encoding: 'utf8', cwd: tmp, env: { ...process.env, NO_COLOR: '1', ATTNC_CACHE_DIR: path.join(tmp, 'cache') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[ATTNC_SETUP]: empty holds no tensorflow-2.21.0 wheel for Linux x86-64');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--gpu-memory must be whole MiB', () => {
    const r = run('--gpu-memory', '8G', 'doctor', '--no-probe');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--gpu-memory "8G" is not a whole number of MiB');
  });

  it('--threads sizes TensorFlow\'s thread pools before it loads; doctor says how many', () => {
    const r = run('--threads', '1', 'doctor', '--no-probe', '--format', 'json');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { threads: number }).threads).toBe(1);
    const bad = run('--threads', '0', 'doctor', '--no-probe');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--threads "0" is not a positive whole number');
  });

  it('doctor reports the GPU, or exactly why there is none', () => {
    const r = run('doctor', '--no-probe', '--format', 'json');
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as { name: string; gpu: { library: unknown; reason: string | null; gpus: unknown[] } };
    expect(Array.isArray(d.gpu.gpus)).toBe(true);
    if (d.name !== 'tensorflow-gpu') expect(d.gpu.reason).toMatch(/\S/);
    if (d.gpu.library === null) expect(d.gpu.reason).toMatch(/^the GPU library is not provisioned \(`npx attnc setup --gpu`\)/);
  });
});
