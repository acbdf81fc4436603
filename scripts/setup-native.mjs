#!/usr/bin/env node
// Provision tfjs-node's native TensorFlow backend without its download host.
//
// Order: (1) the stock tfjs-node already loads → nothing to do; (2) a cached, previously built
// binding for this exact tfjs-node/N-API/libtensorflow triple → copy it in; (3) libtensorflow from
// the `tensorflow-cpu` pip wheel (ATTNC_LIBTENSORFLOW_DIR, ATTNC_TENSORFLOW_WHEEL, the cache, or
// `pip download`) → lay out tfjs-node's deps/ and build the binding from source (~1 min).
// The cache lives outside node_modules, so `npm ci` reuses it. Runs from `npm install` (preinstall
// and postinstall) and as `npm run setup:native`. See README "Native TensorFlow" and
// docs/native-tensorflow.md.
//
// Where attnc is a dependency, `allowScripts` in its package.json does not apply and tfjs-node's own
// install script runs, downloading libtensorflow from Google's storage. npm runs every package's
// preinstall before any package's install, so the preinstall (`--before-tfjs-node`) provisions the
// binding first: tfjs-node's script then finds deps/ and the binding in place and downloads nothing.
// tfjs-node is an optional dependency, so where that still fails npm drops it and the user's install
// goes on (attnc then runs on wasm/cpu; the postinstall says why). The preinstall never fails.
//
// Environment:
//   ATTNC_SKIP_NATIVE=1          do nothing (the wasm/cpu backends still work, slowly)
//   ATTNC_CACHE_DIR=<dir>        cache root (default $XDG_CACHE_HOME/attnc or ~/.cache/attnc)
//   ATTNC_TENSORFLOW_WHEEL=<whl> use this wheel instead of downloading one
//   ATTNC_LIBTENSORFLOW_DIR=<d>  use an unpacked libtensorflow (lib/ + include/, or a wheel's tensorflow/)
//   ATTNC_NATIVE_STRICT=1        exit non-zero when provisioning fails (CI sets it)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bindingRel as bindingPathIn, buildBinding, loads } from './native/binding.mjs';
import { cacheRoot, log, SetupError, TF_VERSION } from './native/cache.mjs';
import { relayGpuPackage } from './native/gpu-package.mjs';
import { extractMembers, TENSORFLOW_MEMBERS as WHEEL_MEMBERS } from './native/unpack.mjs';

const WHEEL_PLATFORM = 'manylinux_2_27_x86_64';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const beforeTfjsNode = process.argv.includes('--before-tfjs-node');

function main() {
  if (process.env.ATTNC_SKIP_NATIVE === '1') {
    log('ATTNC_SKIP_NATIVE=1: skipping the native TensorFlow backend.');
    return;
  }
  let tfjsNodeDir;
  try {
    tfjsNodeDir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    if (beforeTfjsNode) return false; // not unpacked yet (this project's own preinstall): the postinstall does it
    throw new SetupError('@tensorflow/tfjs-node is not installed: it is an optional dependency, which npm drops when its own install script fails (it downloads libtensorflow) or when optional dependencies are omitted',
      'fix the problem reported above by the preinstall step, then reinstall attnc (`npm uninstall attnc && npm install <attnc>`), or run on --backend wasm/cpu');
  }
  const tfjsNodeVersion = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')).version;
  const bindingRel = bindingPathIn();
  const bindingPath = path.join(tfjsNodeDir, bindingRel);

  if (fs.existsSync(bindingPath) && loads(tfjsNodeDir)) {
    log(`native TensorFlow backend already works (${describeSource(tfjsNodeDir)}).`);
    relayGpu(tfjsNodeDir);
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(
      `no offline route for ${process.platform}-${process.arch}: tfjs-node could not load its binding`,
      'run `npm rebuild @tensorflow/tfjs-node` on a machine with internet access, or use --backend wasm',
    );
  }

  const cache = cacheRoot();
  const libDir = provisionLibrary(cache);
  layOutDeps(tfjsNodeDir, libDir);

  const key = `tfjs-node-${tfjsNodeVersion}-${path.basename(path.dirname(bindingRel))}-tf-${TF_VERSION}-${process.platform}-${process.arch}`;
  const cachedBinding = path.join(cache, 'bindings', key, 'tfjs_binding.node');
  if (fs.existsSync(cachedBinding)) {
    fs.mkdirSync(path.dirname(bindingPath), { recursive: true });
    fs.copyFileSync(cachedBinding, bindingPath);
    if (loads(tfjsNodeDir)) {
      log(`reused the cached binding ${cachedBinding}`);
      writeMarker(tfjsNodeDir, libDir, 'cached binding');
      relayGpu(tfjsNodeDir);
      return;
    }
    log('the cached binding did not load; rebuilding it');
  }
  buildBinding(tfjsNodeDir, root);
  if (!fs.existsSync(bindingPath)) throw new SetupError(`the build did not produce ${bindingPath}`);
  if (!loads(tfjsNodeDir)) throw new SetupError('the freshly built binding does not load (see the messages above)');
  fs.mkdirSync(path.dirname(cachedBinding), { recursive: true });
  fs.copyFileSync(bindingPath, cachedBinding);
  writeMarker(tfjsNodeDir, libDir, 'built from source');
  log(`native TensorFlow backend ready (libtensorflow ${TF_VERSION} from ${libDir}).`);
  relayGpu(tfjsNodeDir);
}

/**
 * Where `attnc setup --gpu` provisioned the GPU library into this cache before, lay its package out
 * again (`npm ci` removed node_modules/.attnc): seconds, from the cached binding. Never fails the
 * install: the GPU backend is optional, and `attnc setup --gpu` redoes it in full.
 */
function relayGpu(tfjsNodeDir) {
  if (beforeTfjsNode) return;
  try {
    relayGpuPackage({ root, tfjsNodeDir, cache: cacheRoot() });
  } catch (e) {
    log(`the GPU library could not be laid out again (${e.message}); run \`npx attnc setup --gpu\``);
  }
}

/** Returns a folder with lib/libtensorflow_{cc,framework}.so.2 and include/. */
function provisionLibrary(cache) {
  const given = process.env.ATTNC_LIBTENSORFLOW_DIR;
  if (given) {
    const dir = path.resolve(given);
    for (const cand of [dir, path.join(dir, 'tensorflow')]) {
      if (fs.existsSync(path.join(cand, 'lib', 'libtensorflow_cc.so.2'))) return cand;
      if (fs.existsSync(path.join(cand, 'libtensorflow_cc.so.2')) && fs.existsSync(path.join(cand, 'include'))) {
        return normaliseWheelLayout(cand, path.join(cache, `libtensorflow-${TF_VERSION}-from-dir`));
      }
    }
    throw new SetupError(`ATTNC_LIBTENSORFLOW_DIR=${given} holds no libtensorflow_cc.so.2`,
      'point it at an unpacked libtensorflow (lib/ and include/) or a wheel\'s tensorflow/ folder');
  }
  const target = path.join(cache, `libtensorflow-${TF_VERSION}`);
  const done = path.join(target, 'source.json');
  if (fs.existsSync(done)) {
    log(`reusing the unpacked libtensorflow ${TF_VERSION} in ${target}`);
    return target;
  }
  const wheel = process.env.ATTNC_TENSORFLOW_WHEEL ? path.resolve(process.env.ATTNC_TENSORFLOW_WHEEL) : downloadWheel(cache);
  if (!fs.existsSync(wheel)) throw new SetupError(`wheel not found: ${wheel}`);
  unpackWheel(wheel, target);
  fs.writeFileSync(done, JSON.stringify({ source: `pip wheel ${path.basename(wheel)}`, version: TF_VERSION }, null, 2) + '\n');
  return target;
}

function downloadWheel(cache) {
  const dir = path.join(cache, 'wheels');
  fs.mkdirSync(dir, { recursive: true });
  const existing = fs.readdirSync(dir).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl'));
  if (existing) return path.join(dir, existing);
  log(`downloading the tensorflow-cpu ${TF_VERSION} wheel (~270 MB) with pip into ${dir} …`);
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!python) {
    throw new SetupError('pip is needed to fetch the tensorflow-cpu wheel, and no python3 was found',
      'install python3 + pip, or set ATTNC_TENSORFLOW_WHEEL to a downloaded tensorflow_cpu-2.21.0 wheel');
  }
  const r = spawnSync(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--python-version', '3.11',
    '--platform', WHEEL_PLATFORM, '--retries', '1', '--timeout', '30', '-d', dir, `tensorflow-cpu==${TF_VERSION}`],
  { stdio: ['ignore', 'inherit', 'inherit'] });
  const got = fs.readdirSync(dir).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl'));
  if (r.status !== 0 || !got) {
    throw new SetupError(`pip could not download tensorflow-cpu==${TF_VERSION}`,
      'check that a pip index is reachable, or set ATTNC_TENSORFLOW_WHEEL / ATTNC_LIBTENSORFLOW_DIR');
  }
  return path.join(dir, got);
}

function unpackWheel(wheel, target) {
  log(`unpacking libtensorflow from ${path.basename(wheel)} into ${target} (~850 MB, once) …`);
  const tmp = `${target}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  extractMembers(wheel, WHEEL_MEMBERS, tmp);
  normaliseWheelLayout(path.join(tmp, 'tensorflow'), tmp);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
}

/** Wheel layout (tensorflow/{lib*.so.2,include,…}) → <dest>/{lib,include,licenses}. */
function normaliseWheelLayout(src, dest) {
  fs.mkdirSync(path.join(dest, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dest, 'licenses'), { recursive: true });
  const move = src.startsWith(dest) ? fs.renameSync : (a, b) => fs.symlinkSync(a, b);
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    move(path.join(src, lib), path.join(dest, 'lib', lib));
  }
  const licenses = [['include/LICENSE', 'LICENSE'], ['THIRD_PARTY_NOTICES.txt', 'THIRD_PARTY_NOTICES.txt']];
  const recorded = [];
  for (const [from, to] of licenses) {
    const srcPath = path.join(src, from);
    if (fs.existsSync(srcPath)) {
      fs.copyFileSync(srcPath, path.join(dest, 'licenses', to));
      recorded.push(`licenses/${to}`);
    }
  }
  // Licenses are copied first: moving include/ takes include/LICENSE with it.
  if (!fs.existsSync(path.join(dest, 'include'))) move(path.join(src, 'include'), path.join(dest, 'include'));
  if (src.startsWith(dest)) fs.rmSync(src, { recursive: true, force: true });
  fs.writeFileSync(path.join(dest, 'licenses', 'README.txt'),
    'libtensorflow (TensorFlow C library) from the tensorflow-cpu wheel, Apache-2.0.\n' +
    `Unpacked by attnc's scripts/setup-native.mjs. License files: ${recorded.join(', ')}\n`);
  return dest;
}

/** tfjs-node's binding.gyp expects deps/include and deps/lib/libtensorflow{,_framework}.so. */
function layOutDeps(tfjsNodeDir, libDir) {
  const deps = path.join(tfjsNodeDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(libDir, 'include'), path.join(deps, 'include'));
  const cc = path.join(libDir, 'lib', 'libtensorflow_cc.so.2');
  const fw = path.join(libDir, 'lib', 'libtensorflow_framework.so.2');
  const links = {
    'libtensorflow_cc.so.2': cc, // DT_NEEDED of the built binding
    'libtensorflow_framework.so.2': fw,
    'libtensorflow.so': cc, // link-time names
    'libtensorflow_framework.so': fw,
    'libtensorflow.so.2.9.1': cc, // makes tfjs-node's install.js skip its download
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(deps, 'lib', name));
}

function writeMarker(tfjsNodeDir, libDir, how) {
  let source = 'libtensorflow';
  try { source = JSON.parse(fs.readFileSync(path.join(libDir, 'source.json'), 'utf8')).source; } catch { /* given dir */ }
  fs.writeFileSync(path.join(tfjsNodeDir, 'deps', 'attnc-source.json'),
    JSON.stringify({ source: `${source} (${how})`, libDir, version: TF_VERSION }, null, 2) + '\n');
}

function describeSource(tfjsNodeDir) {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'deps', 'attnc-source.json'), 'utf8'));
    return `${m.source} at ${m.libDir}`;
  } catch {
    return 'stock tfjs-node install';
  }
}

try {
  const t0 = Date.now();
  if (main() !== false) log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
  log(`could not provision the native TensorFlow backend: ${e.message}`);
  if (e.hint) log(`hint: ${e.hint}`);
  if (beforeTfjsNode) {
    // Never fail the user's install here: tfjs-node's own script runs next (and may still work,
    // with internet access); the postinstall reports the outcome.
    log('tfjs-node\'s own install script runs next; the postinstall step reports the outcome.');
  } else {
    log('attnc still works on the wasm/cpu backends (much slower); fix the above and run `npm run setup:native` (in a project that uses attnc: `npm rebuild attnc`).');
    if (process.env.ATTNC_NATIVE_STRICT === '1' || process.env.CI === 'true') process.exitCode = 1;
  }
}
