import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

  it('--version and -V print the installed version (package.json) and exit 0', () => {
    const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      expect(r.status, flag).toBe(0);
      expect(r.stdout).toBe(`attnc ${version}\n`);
      expect(r.stderr).toBe('');
    }
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

describe('start-up without the runtime', () => {
  // The built CLI (dist/) runs without a TypeScript loader until a command that needs the runtime
  // registers one (cli/main.ts): every module loaded at start-up — cli/main.ts and what it imports
  // statically, every command module — must not statically import a runtime value, or the built
  // `attnc --help` would fail on the runtime's .ts files. Type-only imports are erased.
  const root = path.resolve(import.meta.dirname, '../..');
  const staticImports = (file: string): string[] =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'(\.[^']+)'/gm)].map((m) => m[1]!);

  function reachesRuntime(file: string, seen = new Set<string>()): string | undefined {
    if (seen.has(file)) return undefined;
    seen.add(file);
    for (const spec of staticImports(file)) {
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      // Leaves without attnc imports that scripts/build.mjs builds into dist/ (BUILT_RUNTIME_LEAVES).
      if (['error-codes.ts', 'shown-path.ts'].some((leaf) => path.relative(root, target) === path.join('runtime', 'util', leaf))) continue;
      if (path.relative(root, target).startsWith(`runtime${path.sep}`)) return `${path.relative(root, file)} → ${spec}`;
      const deeper = reachesRuntime(target, seen);
      if (deeper) return deeper;
    }
    return undefined;
  }

  it('cli/main.ts and every command module import no runtime value at their top level', () => {
    const commands = readdirSync(path.join(root, 'cli', 'commands')).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, 'cli', 'commands', f));
    const offenders = [path.join(root, 'cli', 'main.ts'), ...commands].map((f) => reachesRuntime(f)).filter(Boolean);
    expect(offenders).toEqual([]);
  });

  it('the check sees a static runtime import (cli/train-app.ts, loaded only inside the train action, has one)', () => {
    expect(reachesRuntime(path.join(root, 'cli', 'train-app.ts'))).toMatch(/runtime\//);
  });
});
