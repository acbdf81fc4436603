import * as path from 'node:path';
import type { GeneratedModel } from '../runtime/model/contract.js';
import { loadGenerated } from '../runtime/model/load.js';
import { AttncError } from '../runtime/util/errors.js';
import { shownPath } from '../runtime/util/shown-path.js';

/**
 * The generated code of a spec (`generated/<name>/`, or `outDir` when compiled with -o), checked to
 * be up to date with the spec, then imported with `loadGenerated`. The networks come from there, so
 * an import builds exactly the model that `attnc sample`/`attnc train` will run (one network at a
 * time through `model.networks`).
 */
export async function loadGeneratedForSpec(specPath: string, outDir?: string): Promise<{ dir: string; gen: GeneratedModel }> {
  const { compileSpec } = await import('../compiler/pipeline.js');
  const result = await compileSpec(specPath, { typecheck: false, ...(outDir ? { outDir } : {}) });
  if (!result.ok) {
    // A spec that cannot be read is an I/O error (exit 2), as in `attnc validate`; an invalid one exit 1.
    const { exitCodeFor } = await import('../compiler/spec.js');
    const unreadable = result.diagnostics.find((d) => d.code === 'ATTNC0001');
    if (unreadable && exitCodeFor(result.diagnostics) === 2) {
      throw new AttncError('ATTNC_IO_READ', unreadable.message, { path: specPath, ...(unreadable.help ? { hint: unreadable.help } : {}) });
    }
    throw new AttncError('ATTNC_SPEC_INVALID', `${specPath}: the spec is not valid`, { path: specPath, hint: `\`attnc validate ${specPath}\` lists the problems` });
  }
  const shown = shownPath(result.outDir);
  const drift = await result.files.check(result.outDir);
  if (drift.length > 0) {
    const missing = drift.every((d) => d.status === 'added');
    throw new AttncError(
      'ATTNC_GENERATED_STALE',
      `${shown}: the generated code of ${specPath} is ${missing ? 'missing' : `out of date (${drift.map((d) => d.file).join(', ')})`}`,
      { path: result.outDir, hint: `run \`attnc compile ${specPath}${outDir ? ` -o ${shown}` : ''}\` first` },
    );
  }
  return loadGenerated(result.outDir);
}
