import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSet } from '../../../compiler/emit/fileset.js';
import { typecheckFiles } from '../../../compiler/emit/typecheck.js';
import { ROOT } from '../lower/helpers.js';

// The strict check of emitted files reads tfjs-core's declarations in place of the umbrella
// package (see typecheck.ts); it must still reject misuse of tfjs and of the runtime.
describe('typecheckFiles', () => {
  const outDir = path.join(os.tmpdir(), 'attnc-typecheck-test');
  const files = (body: string): FileSet => {
    const f = new FileSet();
    f.set('package.json', '{ "type": "module" }\n');
    f.set('model.ts', `import * as tf from 'attnc/runtime/tf.js';\nimport { glu } from 'attnc/runtime/blocks/index.js';\n${body}\n`);
    return f;
  };

  it('passes well-typed code that uses tfjs ops and runtime blocks', () => {
    const r = typecheckFiles(files('export const y: tf.Tensor4D = tf.conv2d(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, tf.zeros([1, 1, 2, 2]) as tf.Tensor4D, 1, "same");\nexport const g = glu(tf.zeros([2, 4]));'), outDir, ROOT);
    expect(r.messages).toEqual([]);
    expect(r.ok).toBe(true);
  }, 30_000);

  it('reports a wrong tfjs call and a wrong runtime call at their lines', () => {
    const r = typecheckFiles(files('export const y: tf.Tensor4D = tf.conv2d(1, 2, 3, "same");\nexport const g: number = glu(tf.zeros([2, 4]));'), outDir, ROOT);
    expect(r.ok).toBe(false);
    const text = r.messages.join('\n');
    expect(text).toMatch(/model\.ts\(3,\d+\): error TS\d+/);
    expect(text).toMatch(/model\.ts\(4,\d+\): error TS2322/);
  }, 30_000);
});
