/**
 * The one driver of the compiler: load → resolve → validate → lower → emit → typecheck, stopping
 * after the phase a caller needs. `attnc validate`/`explain` stop after validation, `attnc diff` after
 * emission, `attnc compile` (and the coming train/sample commands) run it all. Every phase hands
 * the next plain data; problems come back as diagnostics, never as exceptions. It returns data; the
 * CLI decides what to print.
 *
 * The later phases are imported on first use, so a command that only validates does not load the
 * emitters or the TypeScript compiler.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, SourceFiles } from './diagnostics/types.js';
import type { FileSet } from './emit/fileset.js';
import type { TypecheckResult } from './emit/typecheck.js';
import type { ModelGraph } from './lower/graph.js';
import { deriveValues, fillDefaults, inSchemaOrder } from './resolve/defaults.js';
import { loadWithBases, resolveShipped, specDisplay } from './resolve/extends.js';
import { Origins } from './resolve/origins.js';
import { applyOverrides } from './resolve/overrides.js';
import { SpecSchema } from './schema/spec-schema.js';
import type { ResolvedSpec } from './schema/types.js';
import { checkSchema } from './validate/ajv.js';
import { runRules } from './validate/rule.js';
import { rules } from './validate/rules/index.js';
import { schemaDiagnostics } from './validate/schema-errors.js';

export type PipelinePhase = 'validate' | 'lower' | 'emit' | 'typecheck';

export interface LoadOptions {
  /** `--set path=value` overrides, applied in order after `extends`. */
  set?: readonly string[];
  /** Base for display paths in diagnostics and origins (default: process.cwd()). */
  cwd?: string;
}

export interface PipelineOptions {
  set?: readonly string[];
  /**
   * The user's project root (nearest folder with a package.json); found from the spec when omitted.
   * Paths in diagnostics, headers and the manifest are relative to it, so the output is the same
   * whatever the working directory.
   */
  projectRoot?: string;
  /** Output folder; default `<outRoot>/<name>`. */
  outDir?: string;
  /** Folder that holds `<name>/` when `outDir` is not given; default `generated` in the working directory. */
  outRoot?: string;
  /** Reuse a passing type-check verdict for identical inputs (default true unless ATTNC_NO_TYPECHECK_CACHE; see emit/typecheck.ts). */
  typecheckCache?: boolean;
  /** Called with short phase lines ("lower 12 ms"). */
  progress?: (line: string) => void;
}

export interface Failed {
  ok: false;
  diagnostics: Diagnostic[];
  sourceFiles: SourceFiles;
  /** Display path of the spec. */
  file: string;
  timings: Record<string, number>;
}

/** After validation: the resolved spec and where each value came from. */
export interface Validated {
  ok: true;
  spec: ResolvedSpec;
  origins: Origins;
  /** Warnings (and, after lowering, its notes). */
  diagnostics: Diagnostic[];
  sourceFiles: SourceFiles;
  file: string;
  timings: Record<string, number>;
}
export interface Lowered extends Validated {
  graph: ModelGraph;
  projectRoot: string;
}
export interface Emitted extends Lowered {
  files: FileSet;
  outDir: string;
}
export interface Checked extends Emitted {
  /** null when the spec was compiled with `typecheck: false`. */
  typecheck: TypecheckResult | null;
}

type Upto = { validate: Validated; lower: Lowered; emit: Emitted; typecheck: Checked };
export type PipelineResult<P extends PipelinePhase> = Upto[P] | Failed;

const ORDER: readonly PipelinePhase[] = ['validate', 'lower', 'emit', 'typecheck'];

/** Run the pipeline on `specPath` up to and including phase `until`. */
export async function runPipeline<P extends PipelinePhase>(specPath: string, until: P, options: PipelineOptions = {}): Promise<PipelineResult<P>> {
  const upto = (p: PipelinePhase) => ORDER.indexOf(p) <= ORDER.indexOf(until);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    timings[name] = performance.now() - t;
    options.progress?.(`${name} ${timings[name]!.toFixed(0)} ms`);
    t = performance.now();
  };
  // `attnc:<name>` is a shipped spec; the project is still the user's (the working folder's).
  const shipped = resolveShipped(specPath);
  const abs = shipped && 'abs' in shipped ? shipped.abs : path.resolve(specPath);
  const projectRoot = options.projectRoot ?? findProjectRoot(shipped ? process.cwd() : path.dirname(abs));

  const front = await loadSpec(shipped ? specPath : abs, { set: options.set, cwd: projectRoot });
  lap('spec');
  if (!front.ok) return { ...front, timings };
  const validated: Validated = { ...front, timings };
  if (!upto('lower')) return validated as Upto[P];

  const { lower } = await import('./lower/lower.js');
  const lowered = lower({ spec: front.spec, origins: front.origins, file: front.file });
  lap('lower');
  const diagnostics = [...front.diagnostics, ...lowered.diagnostics];
  if (!lowered.ok) return { ok: false, diagnostics, sourceFiles: front.sourceFiles, file: front.file, timings };
  const graph = lowered.graph;
  const withGraph: Lowered = { ...validated, diagnostics, graph, projectRoot };
  if (!upto('emit')) return withGraph as Upto[P];

  const { emitModel } = await import('./emit/emit.js');
  const outDir = path.resolve(options.outDir ?? path.join(options.outRoot ?? 'generated', graph.name));
  // The runtime is imported as `attnc/runtime/…` (package.json `exports`): the same bytes wherever
  // the folder is written; in this repository the specifiers resolve to runtime/ by self-reference.
  const files = emitModel(graph, front.spec);
  if (needsModuleScope(outDir)) files.set(MODULE_SCOPE_FILE, MODULE_SCOPE_JSON);
  lap('emit');
  const emitted: Emitted = { ...withGraph, files, outDir };
  if (!upto('typecheck')) return emitted as Upto[P];

  const { typecheckCached, typecheckFiles } = await import('./emit/typecheck.js');
  const useCache = options.typecheckCache ?? !process.env.ATTNC_NO_TYPECHECK_CACHE;
  const typecheck = useCache ? typecheckCached(files, outDir, projectRoot) : typecheckFiles(files, outDir, projectRoot);
  lap('cached' in typecheck && typecheck.cached ? 'typecheck (cached)' : 'typecheck');
  if (!typecheck.ok) {
    diagnostics.push({
      code: 'ATTNC3901',
      severity: 'error',
      message: 'compiler bug: generated code does not type-check',
      file: front.file,
      line: 0,
      col: 0,
      notes: typecheck.messages.slice(0, 20),
      help: 'this is a bug in attnc, not in your spec; please report it with the spec and these messages',
    });
    return { ok: false, diagnostics, sourceFiles: front.sourceFiles, file: front.file, timings };
  }
  return { ...emitted, typecheck } as Upto[P];
}

export interface CompileOptions extends PipelineOptions {
  /** Type-check the emitted files (default true). */
  typecheck?: boolean;
}

/** `attnc compile`: the whole pipeline, or up to emission with `typecheck: false`. */
export async function compileSpec(specPath: string, options: CompileOptions = {}): Promise<Failed | Checked> {
  if (options.typecheck ?? true) return runPipeline(specPath, 'typecheck', options);
  const r = await runPipeline(specPath, 'emit', options);
  return r.ok ? { ...r, typecheck: null } : r;
}

/** The user's project: the nearest folder at or above `from` with a package.json, else the working directory. */
export function findProjectRoot(from: string): string {
  return path.dirname(nearestPackageJson(from) ?? path.join(process.cwd(), 'package.json'));
}

/** Skips the package.json files attnc writes into generated folders: they are not a project. */
function nearestPackageJson(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && readText(pj) !== MODULE_SCOPE_JSON) return pj;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Generated code is ES modules. Written inside a package that is not (`"type": "module"` missing, or
 * no package.json at all), the folder gets this package.json of its own; Node and TypeScript would
 * otherwise read the files as CommonJS (TS1295). In an ES module package (this repository) it is
 * not written, so the output depends only on the spec and that fact about where it goes.
 */
export const MODULE_SCOPE_FILE = 'package.json';
export const MODULE_SCOPE_JSON = '{\n  "//": "@generated by attnc: generated code is ES modules",\n  "type": "module"\n}\n';

export function needsModuleScope(outDir: string): boolean {
  const pj = nearestPackageJson(outDir);
  if (!pj) return true;
  try {
    return (JSON.parse(readText(pj) ?? '') as { type?: unknown }).type !== 'module';
  } catch {
    return true;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The project's specs: `<project>/spec/*.yaml` (not the bases), sorted; undefined when it has no spec/ folder. */
export async function shippedSpecs(projectRoot: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = (await readdir(path.join(projectRoot, 'spec'))).filter((f) => f.endsWith('.yaml')).sort();
  } catch {
    return undefined;
  }
  return names.map((n) => path.join(projectRoot, 'spec', n));
}

// ── front end: load → resolve → validate ─────────────────────────────────────────────────────────

export type SpecResult =
  | { ok: true; spec: ResolvedSpec; origins: Origins; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string }
  | { ok: false; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string };

/**
 * Load, resolve and validate a spec (the pipeline's `validate` phase, display paths relative to
 * `cwd`). Never throws for a user error: problems come back as diagnostics.
 */
export async function loadSpec(file: string, options: LoadOptions = {}): Promise<SpecResult> {
  const cwd = options.cwd ?? process.cwd();
  const shipped = resolveShipped(file);
  const sourceFiles: SourceFiles = new Map();
  const diagnostics: Diagnostic[] = [];
  if (shipped && 'error' in shipped) {
    diagnostics.push({ code: 'ATTNC0001', severity: 'error', message: shipped.error, file, line: 0, col: 0, ...(shipped.help ? { help: shipped.help } : {}) });
    return { ok: false, diagnostics, sourceFiles, file };
  }
  const abs = shipped ? shipped.abs : path.resolve(cwd, file);
  const display = specDisplay(abs, cwd);
  const fail = (): SpecResult => ({ ok: false, diagnostics: sortDiagnostics(diagnostics), sourceFiles, file: display });

  // 1-2. parse with positions, resolve `extends`
  const layer = await loadWithBases(abs, { cwd, sources: sourceFiles, diagnostics, schema: SpecSchema });
  if (!layer || diagnostics.some((d) => d.severity === 'error')) return fail();

  // 3. --set overrides
  applyOverrides(layer, options.set ?? [], SpecSchema, sourceFiles, diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return fail();

  // origins: the file itself vs. the bases it extends
  const origins = new Origins();
  for (const [p, o] of layer.origins.entries()) {
    const kind = o.kind === 'file' && o.file !== display ? 'base' : o.kind;
    origins.set(p, { ...o, kind, ...(o.mergedWith ? { mergedWith: o.mergedWith.map((m) => ({ ...m, kind: m.kind === 'file' && m.file !== display ? 'base' : m.kind })) } : {}) });
  }

  // 4. defaults
  const value = fillDefaults(SpecSchema, layer.value, '', origins);
  deriveValues(value, origins);

  // 5. schema
  const errors = checkSchema(value);
  if (errors.length) {
    diagnostics.push(...schemaDiagnostics(errors, origins, display, { schema: SpecSchema, value }));
    return fail();
  }
  const spec = inSchemaOrder(SpecSchema, value) as ResolvedSpec;

  // 6. semantic rules
  diagnostics.push(...runRules(rules, spec, origins, display));
  if (diagnostics.some((d) => d.severity === 'error')) return fail();
  return { ok: true, spec, origins, diagnostics: sortDiagnostics(diagnostics), sourceFiles, file: display };
}

/** Stable order: by file (the main spec first as encountered), line, column, code. */
function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of diags) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
  return [...diags].sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}
