/**
 * Public entry point of the spec front end: load → resolve (extends, --set, defaults) → validate
 * (schema, semantic rules). Later phases consume `ResolvedSpec` and `Origins` from here.
 */
import path from 'node:path';
import type { Diagnostic, SourceFiles } from './diagnostics/types.js';
import { loadWithBases, displayPath } from './resolve/extends.js';
import { applyOverrides } from './resolve/overrides.js';
import { deriveValues, fillDefaults, inSchemaOrder } from './resolve/defaults.js';
import { Origins } from './resolve/origins.js';
import { SpecSchema } from './schema/spec-schema.js';
import type { ResolvedSpec } from './schema/types.js';
import { checkSchema } from './validate/ajv.js';
import { schemaDiagnostics } from './validate/schema-errors.js';
import { runRules } from './validate/rule.js';
import { rules } from './validate/rules/index.js';

export type * from './schema/types.js';
export type { Diagnostic, Severity, SourceFiles } from './diagnostics/types.js';
export type { DiagnosticCode } from './diagnostics/catalog.js';
export { catalog, exitCodeFor } from './diagnostics/catalog.js';
export { renderDiagnostics, summarize } from './diagnostics/render.js';
export type { RenderOptions } from './diagnostics/render.js';
export { Origins } from './resolve/origins.js';
export type { Origin, OriginKind, Location } from './resolve/origins.js';
export { toPointer, toDotted } from './parse/pointer.js';

export interface LoadOptions {
  /** `--set path=value` overrides, applied in order after `extends`. */
  set?: readonly string[];
  /** Base for display paths in diagnostics and origins (default: process.cwd()). */
  cwd?: string;
}

export type SpecResult =
  | { ok: true; spec: ResolvedSpec; origins: Origins; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string }
  | { ok: false; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string };

/** Load, resolve and validate a spec. Never throws for a user error: problems come back as diagnostics. */
export async function loadSpec(file: string, options: LoadOptions = {}): Promise<SpecResult> {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const display = displayPath(abs, cwd);
  const sourceFiles: SourceFiles = new Map();
  const diagnostics: Diagnostic[] = [];
  const fail = (): SpecResult => ({ ok: false, diagnostics: sortDiagnostics(diagnostics), sourceFiles, file: display });

  // 1-2. parse with positions, resolve `extends`
  const layer = await loadWithBases(abs, { cwd, sources: sourceFiles, diagnostics });
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
