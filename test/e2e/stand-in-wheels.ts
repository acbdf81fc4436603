/**
 * Wheels that stand in for the GPU library's where no index serves the real ones and there is no
 * GPU (these machines): `attnc setup --gpu --from <folder>` runs its whole path on them.
 *
 * - `standInFolder(dir, cpuWheel)`: the real tensorflow-cpu wheel (linked) in place of the CUDA
 *   build, and one small fake wheel per NVIDIA wheel its METADATA asks for (at the lowest version
 *   allowed), holding a placeholder file where the real one holds its libraries: everything but the
 *   CUDA libraries themselves (test/e2e/gpu-setup.sh).
 * - `fakeTensorflowWheel(dir, requires)`: a tiny wheel with TensorFlow's name, members and METADATA
 *   but placeholder libraries, for tests that stop before loading anything (test/cli/setup/).
 *
 *   npx tsx test/e2e/stand-in-wheels.ts <dir> <tensorflow_cpu wheel>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { parseMetadata, readMetadata, type Requirement } from '../../cli/setup/wheels.js';

function wheel(file: string, dist: string, version: string, members: Record<string, string>, metadataExtra = ''): string {
  const info = `${dist}-${version}.dist-info`;
  const files: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(members)) files[name] = strToU8(text);
  files[`${info}/METADATA`] = strToU8(`Metadata-Version: 2.1\nName: ${dist.replace(/_/g, '-')}\nVersion: ${version}\n${metadataExtra}\nstand-in wheel made by attnc's tests\n`);
  files[`${info}/WHEEL`] = strToU8('Wheel-Version: 1.0\nGenerator: attnc-tests\nRoot-Is-Purelib: false\n');
  fs.writeFileSync(file, zipSync(files));
  return file;
}

/** nvidia-cudnn-cu12 → cudnn, nvidia-cuda-runtime-cu12 → cuda_runtime (the wheels' nvidia/<folder>). */
export function nvidiaFolder(name: string): string {
  return name.replace(/^nvidia-/, '').replace(/-cu\d+$/, '').replace(/-/g, '_');
}

/** The lowest version `spec` allows (">=12.5.3.2" → 12.5.3.2), or 1.0. */
function lowest(spec: string): string {
  return /(?:>=|==|~=)\s*([\d.]+)/.exec(spec)?.[1] ?? '1.0';
}

/** A fake NVIDIA wheel meeting `r`, with a placeholder where its library would be. */
export function fakeNvidiaWheel(dir: string, r: Requirement, version = lowest(r.spec)): string {
  const dist = r.name.replace(/-/g, '_');
  const folder = nvidiaFolder(r.name);
  return wheel(path.join(dir, `${dist}-${version}-py3-none-manylinux2014_x86_64.whl`), dist, version, {
    'nvidia/__init__.py': '',
    [`nvidia/${folder}/__init__.py`]: '',
    [`nvidia/${folder}/lib/lib${folder}.so.12`]: 'stand-in: not a library\n',
  });
}

/** A tiny wheel named like TensorFlow's Linux wheel, whose METADATA asks for `requires` under and-cuda. */
export function fakeTensorflowWheel(dir: string, requires: Requirement[], version = '2.21.0'): string {
  const reqs = requires.map((r) => `Requires-Dist: ${r.name}${r.spec}; extra == "and-cuda"`).join('\n');
  return wheel(path.join(dir, `tensorflow-${version}-cp311-cp311-manylinux_2_27_x86_64.whl`), 'tensorflow', version, {
    'tensorflow/libtensorflow_cc.so.2': 'stand-in\n',
    'tensorflow/libtensorflow_framework.so.2': 'stand-in\n',
    'tensorflow/include/tensorflow/c/c_api.h': '/* stand-in */\n',
    'tensorflow/include/tensorflow/core/platform/ctstring.h': '/* stand-in */\n',
    'tensorflow/include/tsl/platform/ctstring.h': '/* stand-in */\n',
    'tensorflow/include/xla/tsl/c/tsl_status.h': '/* stand-in */\n',
    'tensorflow/include/LICENSE': 'Apache-2.0 (stand-in)\n',
    'tensorflow/THIRD_PARTY_NOTICES.txt': 'stand-in\n',
    'tensorflow/python/not_used.py': '',
  }, `Requires-Dist: numpy>=1.26.0\nProvides-Extra: and-cuda\n${reqs}`);
}

/** The CPU wheel linked in, and a fake wheel for each NVIDIA wheel it asks for. */
export function standInFolder(dir: string, cpuWheel: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const link = path.join(dir, path.basename(cpuWheel));
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.resolve(cpuWheel), link);
  return [link, ...parseMetadata(readMetadata(cpuWheel)).requires.map((r) => fakeNvidiaWheel(dir, r))];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, cpuWheel] = process.argv.slice(2);
  if (!dir || !cpuWheel) {
    process.stderr.write('usage: npx tsx test/e2e/stand-in-wheels.ts <dir> <tensorflow_cpu-2.21.0-….whl>\n');
    process.exit(2);
  }
  for (const f of standInFolder(dir, cpuWheel)) process.stdout.write(`${path.basename(f)}\n`);
}
