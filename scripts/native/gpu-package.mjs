// The tensorflow-gpu package (runtime/backend/gpu.ts loads it): tfjs-node's JavaScript and binding
// sources copied to <node_modules>/.attnc/tfjs-node-gpu — inside node_modules, so that its
// require('@tensorflow/tfjs') finds the project's tfjs; a dot folder, which npm leaves alone — with
// deps/ pointing at the CUDA build of TensorFlow that `attnc setup --gpu` unpacked in attnc's
// cache, and the binding built against it. The binding's run path names that TensorFlow's folder
// in the cache (not deps/lib), so TensorFlow loads from where pip would have put it and its own
// run path ($ORIGIN/../nvidia/*/lib) finds the CUDA libraries unpacked beside it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bindingRel, buildBinding, loads } from './binding.mjs';
import { log, SetupError, TF_VERSION } from './cache.mjs';

/** The GPU library's folder in the cache: wheels unpacked under site/, the manifest attnc-gpu.json. */
export function gpuRoot(cache) {
  return path.join(cache, `tensorflow-gpu-${TF_VERSION}`);
}

/** <node_modules>/.attnc/tfjs-node-gpu for tfjs-node at <node_modules>/@tensorflow/tfjs-node. */
export function gpuPackageDir(tfjsNodeDir) {
  return path.join(tfjsNodeDir, '..', '..', '.attnc', 'tfjs-node-gpu');
}

/** The cache's manifest (what was unpacked), or null when the GPU library was never provisioned there. */
export function readGpuManifest(cache) {
  try {
    return JSON.parse(fs.readFileSync(path.join(gpuRoot(cache), 'attnc-gpu.json'), 'utf8'));
  } catch {
    return null;
  }
}

const COPIED = ['package.json', 'binding.gyp', 'binding', 'dist', 'scripts'];

/** Copy tfjs-node into `packageDir` (replacing it) and point its deps/ at `site`/tensorflow. */
export function layOutGpuPackage({ tfjsNodeDir, packageDir, site }) {
  const tmp = `${packageDir}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const entry of COPIED) fs.cpSync(path.join(tfjsNodeDir, entry), path.join(tmp, entry), { recursive: true });
  const pkgFile = path.join(tmp, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  // The name tfjs's own GPU build gives the package (tfjs-node reads it to tell GPU from CPU).
  pkg.name = '@tensorflow/tfjs-node-gpu';
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  // Dependencies npm nested under tfjs-node (version conflicts) are tfjs-node-gpu's too.
  if (fs.existsSync(path.join(tfjsNodeDir, 'node_modules'))) fs.symlinkSync(path.join(tfjsNodeDir, 'node_modules'), path.join(tmp, 'node_modules'));
  const tfDir = path.join(site, 'tensorflow');
  fs.mkdirSync(path.join(tmp, 'deps', 'lib'), { recursive: true });
  fs.symlinkSync(path.join(tfDir, 'include'), path.join(tmp, 'deps', 'include'));
  // Link-time names only: at run time the binding finds the .so.2 files through its run path.
  const links = {
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2', // makes tfjs-node's install.js skip its download
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(path.join(tfDir, target), path.join(tmp, 'deps', 'lib', name));
  fs.rmSync(packageDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(packageDir), { recursive: true });
  fs.renameSync(tmp, packageDir);
}

/** The binding cache's file for this tfjs-node and the GPU library (its run path names this cache). */
export function gpuBindingCache(cache, tfjsNodeVersion) {
  const napi = path.basename(path.dirname(bindingRel()));
  return path.join(cache, 'bindings', `tfjs-node-${tfjsNodeVersion}-${napi}-tf-${TF_VERSION}-gpu-${process.platform}-${process.arch}`, 'tfjs_binding.node');
}

/** Put the binding into `packageDir`: the cached one, else built (~1 min) and cached. Says which. */
export function provideGpuBinding({ root, packageDir, site, cache, tfjsNodeVersion }) {
  const target = path.join(packageDir, bindingRel());
  const cached = gpuBindingCache(cache, tfjsNodeVersion);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(cached)) {
    fs.copyFileSync(cached, target);
    return 'cached binding';
  }
  const rpath = `-Wl,-rpath,${path.join(site, 'tensorflow')}`;
  buildBinding(packageDir, root, { LDFLAGS: [process.env.LDFLAGS, rpath].filter(Boolean).join(' ') });
  if (!fs.existsSync(target)) throw new SetupError(`the build did not produce ${target}`);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.copyFileSync(target, cached);
  return 'built from source';
}

/** The package's own manifest: the cache's plus how its binding came about. */
export function writePackageManifest(packageDir, manifest, extra) {
  fs.writeFileSync(path.join(packageDir, 'attnc-gpu.json'), JSON.stringify({ ...manifest, ...extra }, null, 2) + '\n');
}

/**
 * Lay the package out again from a provisioned cache (postinstall after `npm ci`): nothing to do
 * when it is in place for the same library; false when the cache holds no GPU library.
 */
export function relayGpuPackage({ root, tfjsNodeDir, cache }) {
  const manifest = readGpuManifest(cache);
  if (!manifest) return false;
  const packageDir = gpuPackageDir(tfjsNodeDir);
  const tfjsNodeVersion = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')).version;
  try {
    const present = JSON.parse(fs.readFileSync(path.join(packageDir, 'attnc-gpu.json'), 'utf8'));
    if (present.site === manifest.site && present.tfjsNode === tfjsNodeVersion && fs.existsSync(path.join(packageDir, bindingRel()))) return true;
  } catch { /* not laid out */ }
  log(`laying out the GPU library provisioned in ${gpuRoot(cache)} …`);
  layOutGpuPackage({ tfjsNodeDir, packageDir, site: manifest.site });
  const how = provideGpuBinding({ root, packageDir, site: manifest.site, cache, tfjsNodeVersion });
  if (!loads(packageDir)) {
    fs.rmSync(packageDir, { recursive: true, force: true });
    throw new SetupError(`the GPU library's binding (${how}) does not load`, 'run `npx attnc setup --gpu` again');
  }
  writePackageManifest(packageDir, manifest, { tfjsNode: tfjsNodeVersion, binding: how });
  log(`GPU library laid out in ${packageDir} (${how}).`);
  return true;
}
