/**
 * Emission: model graph → FileSet. Each generated file has one pure emitter (emit/files/); this
 * module only fixes the file names, adds the header and prints. The same graph gives the same
 * bytes on any machine.
 */
import type { ModelGraph } from '../lower/graph.js';
import type { EmitContext } from './context.js';
import { FileSet } from './fileset.js';
import { emitDiscriminators } from './files/discriminators.js';
import { emitImageEncoder, emitTextEncoder } from './files/encoders.js';
import { emitGenerator } from './files/generator.js';
import { emitLosses } from './files/losses.js';
import { emitGitAttributes, emitGraph, emitManifest } from './files/manifest.js';
import { emitIndex, emitModelFile, emitSample } from './files/model.js';
import { emitPlan } from './files/plan.js';
import { emitTrainDamsm, emitTrainGan } from './files/train.js';
import { RUNTIME_SPECIFIER } from '../package-root.js';
import { GRAPH_FILE, header } from './header.js';
import { printSourceFile, type Statement } from './print.js';

export const EMITTERS: ReadonlyArray<[file: string, emit: (ctx: EmitContext) => Statement[]]> = [
  ['discriminators.ts', emitDiscriminators],
  ['generator.ts', emitGenerator],
  ['image-encoder.ts', emitImageEncoder],
  ['index.ts', emitIndex],
  ['losses.ts', emitLosses],
  ['model.ts', emitModelFile],
  ['plan.ts', emitPlan],
  ['sample.ts', emitSample],
  ['text-encoder.ts', emitTextEncoder],
  ['train-damsm.ts', emitTrainDamsm],
  ['train-gan.ts', emitTrainGan],
];

export interface EmitOptions {
  /** Import path of the runtime; `attnc/runtime` (package.json `exports`) unless a test asks otherwise. */
  runtimeRoot?: string;
}

export function emitModel(graph: ModelGraph, resolvedSpec: unknown, options: EmitOptions = {}): FileSet {
  const ctx: EmitContext = { graph, runtimeRoot: options.runtimeRoot ?? RUNTIME_SPECIFIER };
  const files = new FileSet();
  const head = header(graph.specFile, graph.specHash);
  for (const [file, emit] of EMITTERS) files.set(file, printSourceFile(head, emit(ctx)));
  files.set(GRAPH_FILE, emitGraph(graph, resolvedSpec));
  files.set('.gitattributes', emitGitAttributes());
  files.set('manifest.json', emitManifest(graph, files.entries()));
  return files;
}
