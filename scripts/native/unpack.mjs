// Extract members of a wheel (a zip file) with `unzip`, or Python's zipfile where there is no unzip.
import { spawnSync } from 'node:child_process';
import { SetupError } from './cache.mjs';

/** Extract the members matching `patterns` (unzip's wildcards) of `wheel` into `dest`. */
export function extractMembers(wheel, patterns, dest) {
  let r = spawnSync('unzip', ['-q', '-o', wheel, ...patterns, '-d', dest], { stdio: 'inherit' });
  if (r.error) {
    const py = 'import sys,zipfile,fnmatch\nz=zipfile.ZipFile(sys.argv[1])\npats=sys.argv[3:]\n' +
      'z.extractall(sys.argv[2],[n for n in z.namelist() if any(fnmatch.fnmatch(n,p) for p in pats)])';
    r = spawnSync('python3', ['-c', py, wheel, dest, ...patterns], { stdio: 'inherit' });
  }
  if (r.status !== 0) throw new SetupError(`could not unpack ${wheel}`, 'install `unzip` (or python3); a damaged download: delete the wheel and run again');
}

/** What attnc uses of a TensorFlow wheel: the C library, its headers, the license files. */
export const TENSORFLOW_MEMBERS = [
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/include/tensorflow/c/*',
  'tensorflow/include/tensorflow/core/platform/ctstring*',
  'tensorflow/include/tsl/platform/ctstring*',
  'tensorflow/include/xla/tsl/c/*',
  'tensorflow/include/LICENSE',
  'tensorflow/THIRD_PARTY_NOTICES.txt',
];
