/**
 * `attnc setup --gpu [--from <folder>]`: provision the CUDA build of TensorFlow beside the CPU one.
 *
 * 1. the NVIDIA driver is checked first (before gigabytes are fetched): loaded, and new enough for
 *    CUDA 12;
 * 2. the `tensorflow==2.21.0` wheel and the NVIDIA wheels its METADATA asks for under `and-cuda`
 *    come from the folder, or from pip's index one `pip download` each into the cache's wheels/
 *    (a wheel already there is reused);
 * 3. free disk space is checked against the bytes the unpack will write (read from the wheels'
 *    zip directories);
 * 4. each wheel is unpacked once into <cache>/tensorflow-gpu-2.21.0/site/, as pip would lay out
 *    site-packages (tensorflow/ beside nvidia/<library>/lib), through a scratch folder and a
 *    marker per wheel, so an interrupted run resumes where it stopped;
 * 5. the package (scripts/native/gpu-package.mjs) is laid out in node_modules/.attnc/tfjs-node-gpu
 *    with its binding built against that TensorFlow (or the cached build), and loaded in a child
 *    process that also reports TensorFlow's view of the GPU and the fast paths' placement.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { packageRoot } from '../../compiler/package-root.js';
import { cudaLibraryReach } from '../../runtime/backend/gpu.js';
import { probeNvidia, MIN_DRIVER, type NvidiaSystem } from '../../runtime/backend/nvidia.js';
import { AttncError } from '../../runtime/util/errors.js';
import { loads } from '../../scripts/native/binding.mjs';
import { cacheRoot, log, SetupError, TF_VERSION } from '../../scripts/native/cache.mjs';
import { gpuBindingCache, gpuPackageDir, gpuRoot, layOutGpuPackage, provideGpuBinding, writePackageManifest } from '../../scripts/native/gpu-package.mjs';
import { extractMembers, TENSORFLOW_MEMBERS } from '../../scripts/native/unpack.mjs';
import { indexesOf, pipDownload, PYTHONS, unreachable, type PipResult } from './pip.js';
import { formatRequirement, parseMetadata, pick, readMetadata, wheelsIn, type Requirement, type WheelName } from './wheels.js';
import { listZip } from './zip.js';

export interface GpuSetupOptions {
  /** A folder holding the wheels (nothing is downloaded); as the user wrote it. */
  from?: string;
  /** false: provision without a usable driver (a container image built without a GPU). */
  driverCheck?: boolean;
}

/** What the steps read from the machine; tests replace them. */
export interface GpuSetupDeps {
  nvidia?: () => NvidiaSystem;
  freeBytes?: (dir: string) => number;
  /** pip's environment (its index configuration). */
  env?: NodeJS.ProcessEnv;
  /** attnc's own folder (its tfjs-node is the one laid out). */
  root?: string;
  /** false: stop after unpacking (no package, binding or load check). */
  package?: boolean;
}

export interface GpuSetupResult {
  manifest: GpuManifestData;
  packageDir?: string;
  binding?: string;
}

export interface GpuManifestData {
  version: 1;
  tensorflow: { name: string; version: string; wheel: string };
  nvidia: { name: string; version: string; wheel: string }[];
  site: string;
}

/** What pip is asked for, and what a user fetches by hand for --from. */
const DOWNLOAD_HINT = `pip download --only-binary=:all: --platform manylinux_2_27_x86_64 --python-version 3.11 -d wheels "tensorflow[and-cuda]==${TF_VERSION}"`;
/** The GPU wheels' download size, roughly (TensorFlow ~0.6 GB, the NVIDIA wheels ~3 GB). */
const DOWNLOAD_BYTES = 3.6e9;

const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

export async function setupGpu(options: GpuSetupOptions, deps: GpuSetupDeps = {}): Promise<GpuSetupResult> {
  try {
    return await provision(options, deps);
  } catch (e) {
    if (e instanceof SetupError) throw new AttncError('ATTNC_SETUP', e.message, { hint: e.hint });
    throw e;
  }
}

async function provision(options: GpuSetupOptions, deps: GpuSetupDeps): Promise<GpuSetupResult> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new AttncError('ATTNC_SETUP', `the GPU library is provisioned for Linux x86-64 only, not ${process.platform}-${process.arch}`);
  }
  // 1. The driver, before anything is fetched.
  const system = (deps.nvidia ?? (() => probeNvidia()))();
  if (system.problem) {
    if (options.driverCheck !== false) {
      throw new AttncError('ATTNC_SETUP', system.problem, {
        hint: `the GPU library needs an NVIDIA driver ${MIN_DRIVER} or newer and a GPU; \`--no-driver-check\` provisions it anyway (e.g. while building a container image without a GPU)`,
      });
    }
    log(`gpu: no usable GPU here (${system.problem}); provisioning anyway (--no-driver-check)`);
  } else {
    log(`gpu: NVIDIA driver ${system.driver}, ${system.gpus.map((g) => g.name).join(', ')}`);
  }

  const cache = cacheRoot();
  const root = gpuRoot(cache);
  const site = path.join(root, 'site');
  const freeBytes = deps.freeBytes ?? ((dir: string) => {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  });

  // 2. The wheels.
  const fetcher = options.from !== undefined ? fromFolder(options.from) : await fromIndex(cache, deps.env ?? process.env, freeBytes);
  const tfWheel = await fetcher.tensorflow();
  const meta = parseMetadata(readMetadata(tfWheel.file));
  if (meta.version !== TF_VERSION) throw new AttncError('ATTNC_SETUP', `${tfWheel.file} is TensorFlow ${meta.version}, not ${TF_VERSION}`, { path: tfWheel.file });
  if (meta.name !== 'tensorflow') {
    log(`gpu: WARNING: ${path.basename(tfWheel.file)} is ${meta.name}, the CPU build; it stands in for the CUDA build and will never use a GPU`);
  }
  if (!meta.requires.length) {
    throw new AttncError('ATTNC_SETUP', `${tfWheel.file} names no CUDA wheels under its "and-cuda" extra: not TensorFlow's Linux wheel`, { path: tfWheel.file });
  }
  const nvidia = await fetcher.nvidia(meta.requires);

  // 3. Disk space for what is not unpacked yet.
  const wheels = [tfWheel, ...nvidia];
  const patterns = (w: WheelName) => (w === tfWheel ? TENSORFLOW_MEMBERS : ['nvidia/*']);
  const todo = wheels.filter((w) => !fs.existsSync(marker(site, w)));
  const need = todo.reduce((s, w) => s + unpackedBytes(w.file, patterns(w)), 0);
  fs.mkdirSync(root, { recursive: true });
  const free = freeBytes(root);
  if (need > 0 && free < need * 1.05 + 256e6) {
    throw new AttncError('ATTNC_SETUP_DISK', `not enough disk space in ${cache}: unpacking the GPU library writes ${gb(need)}, and ${gb(free)} is free`, {
      hint: 'free some space, or set ATTNC_CACHE_DIR to a disk with room (the wheels can be deleted from its wheels/ afterwards)',
    });
  }

  // 4. Unpack.
  todo.forEach((w, i) => {
    log(`gpu: (${i + 1}/${todo.length}) unpacking ${path.basename(w.file)} …`);
    unpack(w, patterns(w), root, site);
  });
  if (!todo.length) log(`gpu: reusing the unpacked wheels in ${site}`);
  if (meta.name === 'tensorflow') {
    // The CUDA build finds the NVIDIA libraries through its own run path ($ORIGIN/../nvidia/…/lib).
    const { reached, missed } = cudaLibraryReach(site);
    log(`gpu: TensorFlow's run path reaches ${reached.length} of ${reached.length + missed.length} unpacked CUDA library folders`);
    if (missed.length) log(`gpu: WARNING: not ${missed.map((d) => path.relative(site, d)).join(', ')}: TensorFlow may not find those libraries (\`npx attnc doctor\` shows what it loads)`);
  }
  const manifest: GpuManifestData = {
    version: 1,
    tensorflow: { name: meta.name, version: meta.version, wheel: path.basename(tfWheel.file) },
    nvidia: nvidia.map((w) => ({ name: w.name, version: w.version, wheel: path.basename(w.file) })),
    site,
  };
  fs.writeFileSync(path.join(root, 'attnc-gpu.json'), JSON.stringify(manifest, null, 2) + '\n');
  if (deps.package === false) return { manifest };

  // 5. The package, its binding, a load.
  const attncRoot = deps.root ?? packageRoot();
  let tfjsNodeDir: string;
  try {
    tfjsNodeDir = path.dirname(createRequire(path.join(attncRoot, 'package.json')).resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    throw new AttncError('ATTNC_SETUP', '@tensorflow/tfjs-node is not installed (the GPU library reuses its JavaScript)', { hint: 'reinstall attnc with its optional dependencies (npm ci)' });
  }
  const tfjsNode = (JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')) as { version: string }).version;
  const packageDir = gpuPackageDir(tfjsNodeDir);
  layOutGpuPackage({ tfjsNodeDir, packageDir, site });
  let binding = provideGpuBinding({ root: attncRoot, packageDir, site, cache, tfjsNodeVersion: tfjsNode });
  log(`gpu: binding (${binding}) in ${packageDir}; loading it …`);
  let loaded = loads(packageDir);
  if (!loaded && binding === 'cached binding') {
    log('gpu: the cached binding does not load; rebuilding it');
    fs.rmSync(gpuBindingCache(cache, tfjsNode), { force: true });
    binding = provideGpuBinding({ root: attncRoot, packageDir, site, cache, tfjsNodeVersion: tfjsNode });
    loaded = loads(packageDir);
  }
  if (!loaded) {
    throw new AttncError('ATTNC_SETUP', `the GPU library's binding in ${packageDir} does not load`, { hint: '`npx attnc --backend tensorflow doctor` shows TensorFlow\'s own messages about the GPU' });
  }
  writePackageManifest(packageDir, manifest, { tfjsNode, binding });
  return { manifest, packageDir, binding };
}

/** The indexes pip searched, and that one of them could not be reached if so. */
function lookedIn(output: string): string {
  const down = unreachable(output);
  return `${indexesOf(output)}${down ? `; an index could not be reached: ${down}` : ''}`;
}

/** Marker of a wheel unpacked into `site` (written after its files moved in). */
function marker(site: string, w: WheelName): string {
  return path.join(site, '.unpacked', path.basename(w.file));
}

/** unzip's wildcard (`*` matches across folders) as a RegExp. */
function wildcard(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

function unpackedBytes(wheel: string, patterns: string[]): number {
  const res = patterns.map(wildcard);
  return listZip(wheel).filter((e) => res.some((r) => r.test(e.name))).reduce((s, e) => s + e.size, 0);
}

/** Extract into a scratch folder, move its top folders into `site`, then mark the wheel done. */
function unpack(w: WheelName, patterns: string[], root: string, site: string): void {
  const tmp = path.join(root, `partial-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  extractMembers(w.file, patterns, tmp);
  for (const top of fs.readdirSync(tmp)) {
    const from = path.join(tmp, top);
    // nvidia/ is shared by every NVIDIA wheel: move its libraries one by one.
    const moves = top === 'nvidia' && fs.statSync(from).isDirectory()
      ? fs.readdirSync(from).map((c) => [path.join(from, c), path.join(site, 'nvidia', c)] as const)
      : [[from, path.join(site, top)] as const];
    for (const [a, b] of moves) {
      fs.mkdirSync(path.dirname(b), { recursive: true });
      fs.rmSync(b, { recursive: true, force: true });
      fs.renameSync(a, b);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(site, '.unpacked'), { recursive: true });
  fs.writeFileSync(marker(site, w), '');
}

interface Fetcher {
  tensorflow(): Promise<WheelName>;
  nvidia(requires: Requirement[]): Promise<WheelName[]>;
}

function fromFolder(dir: string): Fetcher {
  const wheels = wheelsIn(path.resolve(dir));
  return {
    async tensorflow() {
      const tf = pick(wheels, { name: 'tensorflow', spec: `==${TF_VERSION}` }) ?? pick(wheels, { name: 'tensorflow-cpu', spec: `==${TF_VERSION}` });
      if (!tf) {
        throw new AttncError('ATTNC_SETUP', `${dir} holds no tensorflow-${TF_VERSION} wheel for Linux x86-64`, {
          path: dir,
          hint: `on a machine whose pip reaches PyPI: ${DOWNLOAD_HINT}, then copy wheels/ here and pass it to --from`,
        });
      }
      log(`gpu: ${path.basename(tf.file)} from ${dir}`);
      return tf;
    },
    async nvidia(requires) {
      const found = requires.map((r) => ({ r, w: pick(wheels, r) }));
      const missing = found.filter((f) => !f.w).map((f) => formatRequirement(f.r));
      if (missing.length) {
        throw new AttncError('ATTNC_SETUP', `${dir} lacks ${missing.length} of the ${requires.length} CUDA wheels TensorFlow ${TF_VERSION} needs: ${missing.join(', ')}`, {
          path: dir,
          hint: `fetch them where pip reaches PyPI: ${DOWNLOAD_HINT}`,
        });
      }
      return found.map((f) => f.w!);
    },
  };
}

async function fromIndex(cache: string, env: NodeJS.ProcessEnv, freeBytes: (dir: string) => number): Promise<Fetcher> {
  const dir = path.join(cache, 'wheels');
  fs.mkdirSync(dir, { recursive: true });
  let pythons = PYTHONS;
  /** pip download `reqs` (one call) with the first Python that has pip. */
  const download = async (reqs: Requirement[], what: string): Promise<Exclude<PipResult, { noPip: true }>> => {
    const free = freeBytes(dir);
    if (free < DOWNLOAD_BYTES) {
      throw new AttncError('ATTNC_SETUP_DISK', `not enough disk space in ${cache}: the GPU wheels take about ${gb(DOWNLOAD_BYTES)} to download (and about twice that unpacked), and ${gb(free)} is free`, {
        hint: 'free some space, or set ATTNC_CACHE_DIR to a disk with room',
      });
    }
    log(`gpu: pip download ${what} …`);
    let res: PipResult | undefined;
    for (const py of pythons) {
      res = await pipDownload(py, reqs.map(formatRequirement), dir, env);
      if (res.ok || !('noPip' in res)) {
        pythons = [py];
        break;
      }
    }
    if (!res || (!res.ok && 'noPip' in res)) {
      throw new AttncError('ATTNC_SETUP', `pip is needed to fetch the GPU wheels, and no ${PYTHONS.join(' or ')} with pip was found`, {
        hint: `install python3-pip, or fetch the wheels elsewhere (${DOWNLOAD_HINT}) and pass the folder to --from`,
      });
    }
    if (!res.ok && !res.notServed) {
      const tail = res.output.trim().split('\n').filter((l) => l.trim()).slice(-2).join(' ');
      throw new AttncError('ATTNC_SETUP', `pip could not download ${what}: ${tail}`, {
        hint: `check that pip reaches its index (${lookedIn(res.output)}), or fetch the wheels elsewhere and pass the folder to --from`,
      });
    }
    return res;
  };
  return {
    async tensorflow() {
      const r = { name: 'tensorflow', spec: `==${TF_VERSION}` };
      const have = pick(wheelsIn(dir), r);
      if (have) return have;
      const res = await download([r], `tensorflow==${TF_VERSION} (~0.6 GB)`);
      const got = pick(wheelsIn(dir), r);
      if (got) return got;
      throw new AttncError('ATTNC_SETUP', `the package index does not serve tensorflow==${TF_VERSION} for Linux x86-64 (the CUDA build of TensorFlow; pip looked in ${lookedIn(res.ok ? '' : res.output)})`, {
        hint: `point pip at an index that serves it (PIP_INDEX_URL=https://pypi.org/simple npx attnc setup --gpu), or fetch the wheels where pip reaches PyPI (${DOWNLOAD_HINT}) and run \`npx attnc setup --gpu --from wheels\``,
      });
    },
    async nvidia(requires) {
      const needed = requires.filter((r) => !pick(wheelsIn(dir), r));
      if (needed.length) {
        const res = await download(needed, `${needed.length} NVIDIA wheel${needed.length > 1 ? 's' : ''} (~3 GB in all)`);
        if (!res.ok) {
          // pip stops at the first wheel it cannot find: ask for each to name every missing one.
          const missing: string[] = [];
          for (const r of needed) if (!(await download([r], formatRequirement(r))).ok) missing.push(formatRequirement(r));
          throw new AttncError('ATTNC_SETUP', `the package index serves tensorflow ${TF_VERSION} but not ${missing.length} of the CUDA wheels it needs: ${missing.join(', ')} (pip looked in ${lookedIn(res.output)})`, {
            hint: `point pip at an index that serves them (PIP_INDEX_URL=https://pypi.org/simple), or fetch them elsewhere (${DOWNLOAD_HINT}) and pass the folder to --from`,
          });
        }
      }
      const wheels = wheelsIn(dir);
      return requires.map((r) => {
        const w = pick(wheels, r);
        if (!w) throw new AttncError('ATTNC_SETUP', `pip reported success but left no wheel for ${formatRequirement(r)} in ${dir}`);
        return w;
      });
    },
  };
}
