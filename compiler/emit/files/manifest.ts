/**
 * manifest.json: the spec hash, the resolved spec, the graph (parameter counts per network and
 * module, every parameter with shape and phase) and the sha256 of every generated file. No
 * timestamps and no tool version, so it is as reproducible as the code beside it.
 */
import type { ModelGraph } from '../../lower/graph.js';
import { sha256 } from '../../lower/hash.js';

export function emitManifest(graph: ModelGraph, resolvedSpec: unknown, files: Array<[string, string]>): string {
  const manifest = {
    generatedBy: 'attnc',
    spec: { file: graph.specFile, sha256: graph.specHash },
    files: Object.fromEntries(files.map(([p, c]) => [p, sha256(c)])),
    parameterCounts: Object.fromEntries(graph.networks.map((n) => [n.id, { total: n.paramCount, trainable: n.trainableCount, ...(n.symbolicParams ? { plus: n.symbolicParams } : {}) }])),
    resolvedSpec,
    graph,
  };
  return JSON.stringify(manifest, null, 2) + '\n';
}
