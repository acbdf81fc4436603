/** The whole `attnc diff` result for two loaded sides: spec changes, graph diff, classification, code patches. */
import { classify, classifySpecChange, type ClassifiedChange, type Classification } from './classify.js';
import { changedFiles, diffFiles, type FilePatch } from '../emit/fileset.js';
import { DATA_FILES } from '../emit/header.js';
import { diffGraphs, type GraphDiff } from './graph-diff.js';
import type { DiffSide } from './load.js';
import { diffSpecs } from './spec-diff.js';

export interface DiffResult {
  a: { label: string; kind: DiffSide['kind']; name: string };
  b: { label: string; kind: DiffSide['kind']; name: string };
  spec: ClassifiedChange[];
  graph: GraphDiff;
  classification: Classification;
  /** Generated code files that differ (manifest.json, graph.json and .gitattributes left out). */
  code: Array<{ file: string; status: FilePatch['status'] }>;
  /** Only when asked for (`--patch`). */
  patch?: FilePatch[];
}

// manifest.json and graph.json repeat the resolved spec and graph the other sections show.
const isManifest = (name: string) => DATA_FILES.includes(name);

export function diffSides(a: DiffSide, b: DiffSide, options: { patch?: boolean } = {}): DiffResult {
  const graph = diffGraphs(a.graph, b.graph);
  const spec = diffSpecs(a.spec, b.spec, { a: a.originOf, b: b.originOf }).map((c) => classifySpecChange(c, graph));
  const side = (s: DiffSide) => ({ label: s.label, kind: s.kind, name: s.name });
  return {
    a: side(a),
    b: side(b),
    spec,
    graph,
    classification: classify(spec, graph),
    code: changedFiles(a.files, b.files, isManifest),
    ...(options.patch ? { patch: diffFiles({ dir: a.codeDir, files: a.files }, { dir: b.codeDir, files: b.files }, { skip: isManifest }) } : {}),
  };
}
