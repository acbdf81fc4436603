import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunPath } from '../../../runtime/backend/elf.js';
import { cudaLibraryReach } from '../../../runtime/backend/gpu.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-elf-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A shared library built by the C compiler the binding's build needs anyway, with this run path. */
function library(file: string, runPath: string, newDtags = true): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = spawnSync('cc', ['-shared', '-fPIC', '-o', file, '-x', 'c', '-', `-Wl,${newDtags ? '--enable-new-dtags' : '--disable-new-dtags'},-rpath,${runPath}`], { input: 'int attnc_test(void) { return 1; }\n', encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return file;
}

describe('ELF run paths', () => {
  it('reads DT_RUNPATH and DT_RPATH as written, and nothing from files that are not ELF', () => {
    expect(readRunPath(library(path.join(tmp, 'a.so'), '$ORIGIN/../nvidia/cublas/lib:/opt/x'))).toEqual(['$ORIGIN/../nvidia/cublas/lib', '/opt/x']);
    expect(readRunPath(library(path.join(tmp, 'b.so'), '/old/style', false))).toEqual(['/old/style']);
    fs.writeFileSync(path.join(tmp, 'text.so'), 'stand-in\n');
    expect(readRunPath(path.join(tmp, 'text.so'))).toBeNull();
    expect(readRunPath(path.join(tmp, 'missing.so'))).toBeNull();
  });

  it('tells which unpacked CUDA library folders TensorFlow\'s run path reaches ($ORIGIN = site/tensorflow)', () => {
    const site = path.join(tmp, 'site');
    library(path.join(site, 'tensorflow', 'libtensorflow_framework.so.2'), '$ORIGIN/../nvidia/cublas/lib:$ORIGIN/../../nvidia/cudnn/lib');
    library(path.join(site, 'tensorflow', 'libtensorflow_cc.so.2'), '$ORIGIN/:$ORIGIN/../nvidia/nccl/lib');
    for (const c of ['cublas', 'cudnn', 'nccl', 'cufft']) fs.mkdirSync(path.join(site, 'nvidia', c, 'lib'), { recursive: true });
    const r = cudaLibraryReach(site);
    expect(r.reached.map((d) => path.relative(site, d))).toEqual(['nvidia/cublas/lib', 'nvidia/nccl/lib']);
    // ../../nvidia from site/tensorflow is outside site: not where the wheels were unpacked.
    expect(r.missed.map((d) => path.relative(site, d))).toEqual(['nvidia/cudnn/lib', 'nvidia/cufft/lib']);
  });
});
