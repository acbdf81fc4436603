/**
 * Type-checks emitted files in memory with the TypeScript compiler API, under attnc's own tsconfig
 * options (strict), wherever the files are written: `attnc/runtime/…` resolves to the runtime of
 * the attnc that runs the check (a `paths` entry), so a folder outside any project checks too. Only the generated files are checked: the runtime and tfjs are read
 * for their declarations, not re-checked, which keeps this to one Program and a few seconds.
 * A failure here is a compiler bug, never a user error.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../package-root.js';
import type { FileSet } from './fileset.js';

export interface TypecheckResult {
  ok: boolean;
  /** `generated/tiny/losses.ts(12,3): error TS2345: …` lines, paths relative to the project root. */
  messages: string[];
  ms: number;
}

const require = createRequire(import.meta.url);
const cache = new Map<string, ts.Program>();

/**
 * Where passing verdicts are remembered: one empty file per key, the key a hash of everything the
 * check depends on (generated files, every runtime source, tsconfig, compiler and tfjs versions).
 * A compile whose inputs are unchanged then skips the check; any change re-runs it.
 */
function cacheKey(files: FileSet): string {
  const root = packageRoot();
  const h = createHash('sha256');
  h.update(`ts ${ts.version}\n`);
  h.update(`tfjs ${tfjsVersion()}\n`);
  h.update(readFileSync(path.join(root, 'tsconfig.json')));
  for (const rel of listTs(path.join(root, 'runtime'))) {
    h.update(`runtime/${rel}\n`);
    h.update(readFileSync(path.join(root, 'runtime', rel)));
  }
  // package.json too: whether the folder has one decides ES module vs CommonJS.
  for (const [name, content] of files.entries()) if (name.endsWith('.ts') || name === 'package.json') h.update(`${name}\n${content}`);
  return h.digest('hex');
}

function tfjsVersion(): string {
  try {
    const req = createRequire(path.join(packageRoot(), 'package.json'));
    return (JSON.parse(readFileSync(req.resolve('@tensorflow/tfjs/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let coreTypes: string | null | undefined;
function tfjsCoreTypes(): string | null {
  if (coreTypes === undefined) {
    try {
      const req = createRequire(require.resolve('@tensorflow/tfjs/package.json', { paths: [packageRoot()] }));
      coreTypes = path.join(path.dirname(req.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'index.d.ts');
      if (!existsSync(coreTypes)) coreTypes = null;
    } catch {
      coreTypes = null;
    }
  }
  return coreTypes;
}

/** Same root as the native-backend cache (scripts/setup-native.mjs): ATTNC_CACHE_DIR, else $XDG_CACHE_HOME/attnc or ~/.cache/attnc. */
function cacheDir(): string {
  const base = process.env.ATTNC_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'attnc');
  return path.join(base, 'typecheck');
}

function listTs(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listTs(dir, rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out.sort();
}

/** Like `typecheckFiles`, but remembers passing verdicts under the attnc cache (`typecheck/`). */
export function typecheckCached(files: FileSet, outDir: string, projectRoot: string): TypecheckResult & { cached: boolean } {
  const t0 = performance.now();
  const dir = cacheDir();
  const key = cacheKey(files);
  const stamp = path.join(dir, key);
  if (existsSync(stamp)) return { ok: true, messages: [], ms: performance.now() - t0, cached: true };
  const r = typecheckFiles(files, outDir, projectRoot);
  if (r.ok) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(stamp, '');
    } catch {
      // A read-only cache only costs speed.
    }
  }
  return { ...r, ms: performance.now() - t0, cached: false };
}

export function typecheckFiles(files: FileSet, outDir: string, projectRoot: string): TypecheckResult {
  const t0 = performance.now();
  const root = packageRoot();
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent({ compilerOptions: config.config?.compilerOptions ?? {} }, ts.sys, root);
  // Generated code uses no Node globals: leaving out @types/node saves parsing ~100 declaration
  // files. Runtime files are not checked here (only read for their declarations), so their own
  // use of Node types does not matter.
  // The runtime imports the `@tensorflow/tfjs` umbrella, whose declarations drag in layers, data,
  // converter and two browser backends (~170 files) that neither the runtime nor generated code
  // uses; the umbrella's ops are tfjs-core's, so the check reads tfjs-core alone (~0.3 s less).
  // `npm run typecheck` still checks everything against the real umbrella.
  const options: ts.CompilerOptions = {
    ...parsed.options, types: [], noEmit: true, incremental: false, composite: false,
    paths: {
      'attnc/runtime/*': [path.join(root, 'runtime', '*')],
      ...(tfjsCoreTypes() ? { '@tensorflow/tfjs': [tfjsCoreTypes()!] } : {}),
    },
  };
  const virtual = new Map<string, string>();
  for (const [name, content] of files.entries()) {
    if (name.endsWith('.ts') || name === 'package.json') virtual.set(path.resolve(outDir, name), content);
  }

  const host = ts.createCompilerHost(options, true);
  const baseGet = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(path.resolve(fileName));
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    return baseGet(fileName, languageVersion, onError, shouldCreate);
  };
  const baseExists = host.fileExists.bind(host);
  host.fileExists = (f) => virtual.has(path.resolve(f)) || baseExists(f);
  const outAbs = path.resolve(outDir);
  const baseDirExists = host.directoryExists?.bind(host);
  // The output folder may not exist yet (`--check` of a new spec, a fresh -o).
  host.directoryExists = (d) => outAbs === path.resolve(d) || outAbs.startsWith(path.resolve(d) + path.sep) || (baseDirExists ? baseDirExists(d) : ts.sys.directoryExists(d));
  const baseRead = host.readFile.bind(host);
  host.readFile = (f) => virtual.get(path.resolve(f)) ?? baseRead(f);

  const roots = [...virtual.keys()].filter((f) => f.endsWith('.ts')).sort();
  // Reusing the previous Program lets TypeScript keep the parsed tfjs/runtime declarations when
  // several specs are checked in one process (`attnc compile --check`, the tests).
  const program = ts.createProgram({ rootNames: roots, options, host, oldProgram: cache.get(projectRoot) });
  cache.set(projectRoot, program);
  if (process.env.ATTNC_DEBUG_TYPECHECK) {
    const byTop = new Map<string, number>();
    for (const sf of program.getSourceFiles()) {
      const rel = path.relative(projectRoot, sf.fileName).split(path.sep).slice(0, 3).join('/');
      byTop.set(rel, (byTop.get(rel) ?? 0) + 1);
    }
    process.stderr.write(`typecheck program: ${program.getSourceFiles().length} files ${JSON.stringify([...byTop].sort((a, b) => b[1] - a[1]).slice(0, 12))}\n`);
  }
  const diags: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const f of roots) {
    const sf = program.getSourceFile(f);
    if (!sf) continue;
    diags.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  const messages = diags
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const rel = path.relative(projectRoot, d.file.fileName).split(path.sep).join('/');
      return `${rel}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
    });
  return { ok: messages.length === 0, messages, ms: performance.now() - t0 };
}
