import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../bin/attnc.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('attnc CLI', () => {
  it('prints help quickly without loading tfjs', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('doctor');
    expect(r.stderr).not.toMatch(/oneDNN|TensorFlow/);
  });

  it('suggests the closest command for a typo and exits 2', () => {
    const r = run('doctr');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Did you mean doctor?');
  });

  it('reports a bad --backend as a usage error without a stack trace', () => {
    const r = run('--backend', 'tpu', 'doctor', '--no-probe');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown backend "tpu"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('doctor reports the backend as JSON', () => {
    const r = run('doctor', '--no-probe', '--format', 'json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as { name: string; tfjsVersion: string };
    expect(info.tfjsVersion).toBe('4.22.0');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.name);
  });
});
