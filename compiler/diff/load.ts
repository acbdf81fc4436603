/**
 * One side of `attnc diff`: a spec file (loaded, lowered and emitted in memory, no type check) or a
 * generated folder (its manifest.json carries the resolved spec and the graph; its .ts files are the
 * code). Both become the same `DiffSide`, so every later step ignores where a side came from.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, SourceFiles } from '../diagnostics/types.js';
import { GRAPH_FILE } from '../emit/header.js';
import type { ModelGraph } from '../lower/graph.js';
import { runPipeline } from '../pipeline.js';
import { resolveShipped } from '../resolve/extends.js';
import type { OriginRef, Origins } from '../resolve/origins.js';

export interface DiffSide {
  /** How the user named it, relative to the cwd (`spec/attngan1.yaml`, `generated/attngan1`). */
  label: string;
  kind: 'spec' | 'generated';
  name: string;
  spec: unknown;
  graph: ModelGraph;
  /** Generated files by name (manifest.json excluded), for `--patch`. */
  files: Map<string, string>;
  /** Display folder of the generated code (`generated/attngan1`), for patch headers. */
  codeDir: string;
  originOf(pointer: string): OriginRef | undefined;
}

export type LoadSideResult =
  | { ok: true; side: DiffSide; diagnostics: Diagnostic[]; sourceFiles: SourceFiles }
  | { ok: false; diagnostics: Diagnostic[]; sourceFiles: SourceFiles; file: string; usage?: string };

export interface LoadSideOptions {
  set?: readonly string[];
  /** How overrides are shown in origins: `--set-b losses[1].lambda=50`. */
  setFlag?: string;
  cwd?: string;
}

const slash = (p: string) => p.split(path.sep).join('/');

export async function loadSide(input: string, options: LoadSideOptions = {}): Promise<LoadSideResult> {
  const cwd = options.cwd ?? process.cwd();
  // A shipped spec (`attnc:tiny`) is a spec side, shown as the user wrote it.
  if (resolveShipped(input)) return loadSpecSide(input, input, options.set ?? [], options.setFlag ?? '--set');
  const abs = path.resolve(cwd, input);
  const label = slash(path.relative(cwd, abs)) || '.';
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    if (options.set?.length) return usage(label, `--set-a/--set-b apply to spec files, not to the generated folder ${label}`);
    return loadGenerated(abs, label);
  }
  return loadSpecSide(abs, label, options.set ?? [], options.setFlag ?? '--set');
}

function usage(file: string, message: string): LoadSideResult {
  return { ok: false, diagnostics: [], sourceFiles: new Map(), file, usage: message };
}

async function loadSpecSide(abs: string, label: string, set: readonly string[], setFlag: string): Promise<LoadSideResult> {
  // The pipeline up to emission (no type check). Paths are relative to the project root, as
  // `attnc compile` writes them into generated trees, so a spec and its generated folder compare equal.
  const spec = await runPipeline(abs, 'emit', { set });
  if (!spec.ok) return { ok: false, diagnostics: spec.diagnostics, sourceFiles: spec.sourceFiles, file: spec.file };
  const files = new Map<string, string>();
  for (const [name, text] of spec.files.entries()) if (name.endsWith('.ts')) files.set(name, text);
  const origins = spec.origins;
  const side: DiffSide = {
    label,
    kind: 'spec',
    name: spec.graph.name,
    spec: spec.spec,
    graph: spec.graph,
    files,
    codeDir: `generated/${spec.graph.name}`,
    originOf: (pointer) => {
      const o = specOrigin(origins, pointer, spec.file);
      if (o?.kind !== 'override' || !o.file) return o;
      const text = spec.sourceFiles.get(o.file);
      return text === undefined ? o : { ...o, note: `${setFlag} ${text}` };
    },
  };
  return { ok: true, side, diagnostics: spec.diagnostics, sourceFiles: spec.sourceFiles };
}

export function specOrigin(origins: Origins, pointer: string, mainFile: string): OriginRef | undefined {
  const o = origins.get(pointer);
  if (o) {
    if (o.kind === 'default') return { kind: 'default', ...(o.note ? { note: o.note } : {}) };
    return { kind: o.kind, file: o.file, line: o.keyLine ?? o.line };
  }
  // A container without its own entry: the nearest located ancestor (a flow map's line).
  const loc = origins.locate(pointer, 'key');
  if (!loc) return undefined;
  const kind = loc.file === mainFile ? 'file' : loc.file.startsWith('<--set') ? 'override' : 'base';
  return { kind, file: loc.file, line: loc.line };
}

interface Manifest {
  generatedBy?: string;
  resolvedSpec?: unknown;
  graph?: ModelGraph;
}

async function loadGenerated(abs: string, label: string): Promise<LoadSideResult> {
  // graph.json holds the resolved spec and graph; folders of an older attnc kept them in manifest.json.
  const graphFile = existsSync(path.join(abs, GRAPH_FILE)) ? GRAPH_FILE : 'manifest.json';
  const manifestPath = path.join(abs, graphFile);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  } catch (e) {
    const why = existsSync(manifestPath) ? `is not valid JSON (${(e as Error).message})` : 'is missing';
    return usage(label, `${label}/${graphFile} ${why}: not a folder written by \`attnc compile\``);
  }
  if (manifest.generatedBy !== 'attnc' || !manifest.graph || manifest.resolvedSpec === undefined) {
    return usage(label, `${label}/${graphFile} has no resolved spec and graph: recompile it with \`attnc compile\``);
  }
  const files = new Map<string, string>();
  for (const name of (await readdir(abs)).sort()) {
    if (name.endsWith('.ts')) files.set(name, await readFile(path.join(abs, name), 'utf8'));
  }
  const where: OriginRef = { kind: 'manifest', file: `${label}/${graphFile}` };
  const side: DiffSide = {
    label,
    kind: 'generated',
    name: manifest.graph.name,
    spec: manifest.resolvedSpec,
    graph: manifest.graph,
    files,
    codeDir: label,
    // The manifest keeps no per-value origins; the values themselves come from it.
    originOf: () => where,
  };
  return { ok: true, side, diagnostics: [], sourceFiles: new Map() };
}
