#!/usr/bin/env node
// Build the CLI and the compiler to JavaScript in dist/ (`npm run build`; run by `prepare`, so by
// `npm ci` here and before `npm pack`), so a command does not transpile attnc's own sources at
// start-up. One file per source file (TypeScript's transpileModule, no type check: `npm test` does
// that), same folders under dist/. The runtime is not built: it stays TypeScript (generated model
// code imports it as `attnc/runtime/…`), and the CLI loads it through tsx when a command needs it
// (cli/ts-loader.ts); relative imports into runtime/ are re-pointed from dist/ at the sources.
//
// `bin/attnc.mjs` runs dist/ when dist/build.json is at least as new as every source file here, and
// the sources through tsx otherwise, so a stale build is never run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const BUILT = ['cli', 'compiler'];
// Runtime modules the CLI needs at start-up (cli/report.ts): leaves with no imports, so a second copy
// in dist/ holds only functions and data (no class whose identity could differ). Keep in sync with
// the allowance in test/cli/main.test.ts.
export const BUILT_RUNTIME_LEAVES = ['runtime/util/error-codes.ts', 'runtime/util/shown-path.ts'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir) {
  return fs.readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** `../../runtime/x.js` from cli/commands/a.ts, seen from dist/cli/commands/a.js: one level further up. */
function repoint(specifier, fromRel) {
  if (!specifier.startsWith('.')) return specifier;
  const target = path.relative(root, path.resolve(root, path.dirname(fromRel), specifier));
  if (BUILT.some((d) => target === d || target.startsWith(d + path.sep))) return specifier;
  if (BUILT_RUNTIME_LEAVES.includes(target.replace(/\.js$/, '.ts').split(path.sep).join('/'))) return specifier;
  const rel = path.relative(path.join(root, 'dist', path.dirname(fromRel)), path.join(root, target)).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

async function build() {
  const t0 = performance.now();
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    sourceMap: false,
    removeComments: false,
  };
  const tmp = path.join(root, `dist.partial-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  let count = 0;
  for (const dir of BUILT) {
    for (const rel of [...sources(dir), ...(dir === 'cli' ? BUILT_RUNTIME_LEAVES : [])]) {
      const text = fs.readFileSync(path.join(root, rel), 'utf8');
      const out = ts.transpileModule(text, { compilerOptions: options, fileName: rel, reportDiagnostics: false }).outputText
        // Static `from '…'`, side-effect `import '…'` and dynamic `import('…')` specifiers.
        .replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\2/g, (_m, pre, q, spec) => `${pre}${q}${repoint(spec, rel)}${q}`);
      const dest = path.join(tmp, rel.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, out);
      count++;
    }
  }
  // The spec validator, precompiled (compiler/validate/standalone.ts; ajv.ts loads it in dist/).
  const { standaloneValidatorSource } = await import(pathToFileURL(path.join(tmp, 'compiler', 'validate', 'standalone.js')).href);
  fs.writeFileSync(path.join(tmp, 'compiler', 'validate', 'spec-validator.js'), standaloneValidatorSource());
  fs.writeFileSync(path.join(tmp, 'build.json'), JSON.stringify({ built: BUILT, files: count }, null, 2) + '\n');
  // Swap in whole, so a concurrent `attnc` never sees half a build.
  const old = path.join(root, `dist.old-${process.pid}`);
  if (fs.existsSync(path.join(root, 'dist'))) fs.renameSync(path.join(root, 'dist'), old);
  fs.renameSync(tmp, path.join(root, 'dist'));
  fs.rmSync(old, { recursive: true, force: true });
  process.stderr.write(`[attnc build] ${count} files → dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

await build();
