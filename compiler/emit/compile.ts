/**
 * The compile pipeline behind `attnc compile`: load + validate the spec (compiler/spec.ts), lower
 * it to the model graph, emit the files, type-check them in memory, then write or compare.
 * Returns data; the CLI decides what to print.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadSpec, type Diagnostic, type SourceFiles } from '../spec.js';
import { asDiagnostics } from '../lower/codes.js';
import type { ModelGraph } from '../lower/graph.js';
import { lower } from '../lower/lower.js';
import { emitModel } from './emit.js';
import type { FileSet } from './fileset.js';
import { typecheckCached, typecheckFiles, type TypecheckResult } from './typecheck.js';

export interface CompileOptions {
  set?: readonly string[];
  /** Output folder; default `<project>/generated/<name>`. */
  outDir?: string;
  /** Default true. */
  typecheck?: boolean;
  /** Reuse a passing verdict for identical inputs (default true; see typecheck.ts). */
  typecheckCache?: boolean;
  /** Project root (folder with package.json and runtime/); found from the spec when omitted. */
  projectRoot?: string;
  /** Called with short phase lines ("lowered in 12 ms"). */
  progress?: (line: string) => void;
}

export type CompileResult =
  | {
      ok: true;
      graph: ModelGraph;
      files: FileSet;
      outDir: string;
      projectRoot: string;
      diagnostics: Diagnostic[];
      sourceFiles: SourceFiles;
      typecheck: TypecheckResult | null;
      timings: Record<string, number>;
    }
  | { ok: false; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string; timings: Record<string, number> };

/** Nearest folder at or above `from` that holds package.json and runtime/. */
export function findProjectRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'runtime'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export async function compileSpec(specPath: string, options: CompileOptions = {}): Promise<CompileResult> {
  const timings: Record<string, number> = {};
  const lap = (name: string, t0: number) => {
    timings[name] = performance.now() - t0;
    options.progress?.(`${name} ${timings[name]!.toFixed(0)} ms`);
  };
  const abs = path.resolve(specPath);
  const projectRoot = options.projectRoot ?? findProjectRoot(path.dirname(abs));
  let t = performance.now();
  // Paths in diagnostics, headers and the manifest are relative to the project root, so the
  // output is the same whatever the working directory.
  const spec = await loadSpec(abs, { set: options.set, cwd: projectRoot });
  lap('spec', t);
  if (!spec.ok) return { ok: false, diagnostics: spec.diagnostics, sourceFiles: spec.sourceFiles, file: spec.file, timings };
  t = performance.now();
  const lowered = lower({ spec: spec.spec, origins: spec.origins, file: spec.file });
  lap('lower', t);
  if (!lowered.ok) {
    return { ok: false, diagnostics: [...spec.diagnostics, ...asDiagnostics(lowered.diagnostics)], sourceFiles: spec.sourceFiles, file: spec.file, timings };
  }
  const graph = lowered.graph;
  const outDir = path.resolve(options.outDir ?? path.join(projectRoot, 'generated', graph.name));
  const runtimeRoot = path.relative(outDir, path.join(projectRoot, 'runtime')).split(path.sep).join('/');
  t = performance.now();
  const files = emitModel(graph, spec.spec, { runtimeRoot: runtimeRoot.startsWith('.') ? runtimeRoot : `./${runtimeRoot}` });
  lap('emit', t);
  let typecheck: TypecheckResult | null = null;
  const diagnostics = [...spec.diagnostics, ...asDiagnostics(lowered.diagnostics)];
  if (options.typecheck ?? true) {
    t = performance.now();
    const useCache = options.typecheckCache ?? !process.env.ATTNC_NO_TYPECHECK_CACHE;
    typecheck = !useCache ? typecheckFiles(files, outDir, projectRoot) : typecheckCached(files, outDir, projectRoot);
    lap(typecheck && 'cached' in typecheck && typecheck.cached ? 'typecheck (cached)' : 'typecheck', t);
    if (!typecheck.ok) {
      diagnostics.push(
        ...asDiagnostics([
          {
            code: 'ATTNC3901',
            severity: 'error',
            message: 'compiler bug: generated code does not type-check',
            file: spec.file,
            line: 0,
            col: 0,
            notes: typecheck.messages.slice(0, 20),
            help: 'this is a bug in attnc, not in your spec; please report it with the spec and these messages',
          },
        ]),
      );
      return { ok: false, diagnostics, sourceFiles: spec.sourceFiles, file: spec.file, timings };
    }
  }
  return { ok: true, graph, files, outDir, projectRoot, diagnostics, sourceFiles: spec.sourceFiles, typecheck, timings };
}

/** The shipped specs: `spec/*.yaml` (not the bases), sorted. */
export async function shippedSpecs(projectRoot: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const names = (await readdir(path.join(projectRoot, 'spec'))).filter((f) => f.endsWith('.yaml')).sort();
  return names.map((n) => path.join(projectRoot, 'spec', n));
}
