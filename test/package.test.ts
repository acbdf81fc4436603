// The published package: what `npm pack` puts in it, and the install semantics that let a user's
// `npm install attnc` succeed offline (issue 13). The real install is test/e2e/new-user.sh (.ci/run).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts: Record<string, string>;
  exports: Record<string, string>;
  files: string[];
};

describe('npm pack', () => {
  // --ignore-scripts: list the files without building dist/ (the build is `prepare`'s job).
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const files = r.status === 0 ? (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path) : [];

  it('holds the CLI, compiler, runtime, shipped specs and bases, docs', () => {
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['bin/attnc.mjs', 'cli/main.ts', 'compiler/spec.ts', 'compiler/package-root.ts', 'runtime/tf.ts', 'runtime/nn/index.ts',
      'spec/tiny.yaml', 'spec/bases/attngan.yaml', 'docs/spec.md', 'scripts/setup-native.mjs', 'scripts/build.mjs', 'tsconfig.json', 'README.md', 'package.json',
      'scripts/native/gpu-package.mjs', 'scripts/native/binding.mjs', 'cli/setup/gpu.ts']) {
      expect(files, f).toContain(f);
    }
    expect(pkg.files).toContain('dist/');
  });

  it('leaves out tests, fixtures, benches, generated examples and CI', () => {
    const stray = files.filter((f) => /^(test|bench|generated|\.ci|examples)\//.test(f) || /fixtures|\.test\.ts$|^bin\/bench/.test(f));
    expect(stray).toEqual([]);
  });
});

describe('install semantics', () => {
  it("tfjs-node is optional: a failing download in its own install script cannot abort the user's install", () => {
    expect(pkg.dependencies['@tensorflow/tfjs-node']).toBeUndefined();
    expect(pkg.optionalDependencies?.['@tensorflow/tfjs-node']).toBe('4.22.0');
  });

  it("attnc's preinstall provisions the binding before tfjs-node's install script runs, and never fails", () => {
    expect(pkg.scripts.preinstall).toBe('node scripts/setup-native.mjs --before-tfjs-node');
    expect(pkg.scripts.postinstall).toBe('node scripts/setup-native.mjs');
    const setup = readFileSync(path.join(ROOT, 'scripts', 'setup-native.mjs'), 'utf8');
    expect(setup).toMatch(/if \(beforeTfjsNode\) \{[^}]*Never fail/);
  });

  it('the runtime is reachable by package name, and only it', () => {
    expect(pkg.exports).toEqual({ './runtime/*.js': './runtime/*.ts', './package.json': './package.json' });
  });

  it('the build runs in `npm ci` and before `npm pack`; typescript is a runtime dependency (the type check needs its lib files)', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.dependencies.typescript).toBeDefined();
    expect(pkg.dependencies.tsx).toBeDefined();
  });
});
