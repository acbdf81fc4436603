import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Module } from '../../runtime/nn/module.js';
import { AttncError } from '../../runtime/util/errors.js';

/** What every generated model folder's index.ts exports (the parts the CLI uses). */
export interface GeneratedModel {
  SPEC: { name: string; file: string; sha256: string };
  Generator: new () => Module;
  createTextEncoder(vocabSize: number): Module;
  createImageEncoder(): Module;
  createDiscriminators(): Module[];
}

/**
 * The generated code of a spec (`generated/<name>/`, or `outDir`), checked to be up to date with the
 * spec and then imported. The networks come from there, never from the spec directly, so an import
 * builds exactly the model that `attnc sample`/`attnc train` will run.
 */
export async function loadGeneratedForSpec(specPath: string, outDir?: string): Promise<{ dir: string; model: GeneratedModel; projectRoot: string }> {
  const { compileSpec } = await import('../emit/compile.js');
  const result = await compileSpec(specPath, { typecheck: false, ...(outDir ? { outDir } : {}) });
  if (!result.ok) {
    throw new AttncError('ATTNC_SPEC_INVALID', `${specPath}: the spec is not valid`, { path: specPath, hint: `\`attnc validate ${specPath}\` lists the problems` });
  }
  const shown = path.relative(process.cwd(), result.outDir) || '.';
  const drift = await result.files.check(result.outDir);
  if (drift.length > 0) {
    const missing = drift.every((d) => d.status === 'missing');
    throw new AttncError(
      'ATTNC_GENERATED_STALE',
      `${shown}: the generated code of ${specPath} is ${missing ? 'missing' : `out of date (${drift.map((d) => d.file).join(', ')})`}`,
      { path: result.outDir, hint: `run \`attnc compile ${specPath}${outDir ? ` -o ${shown}` : ''}\` first` },
    );
  }
  const model = (await import(pathToFileURL(path.join(result.outDir, 'index.ts')).href)) as GeneratedModel;
  return { dir: result.outDir, model, projectRoot: result.projectRoot };
}
