// tfjs-node's native binding: where it lives in a package, building it from source against the
// libtensorflow laid out in the package's deps/, and checking that it loads.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { log, SetupError } from './cache.mjs';

/** lib/napi-v8/tfjs_binding.node (node-pre-gyp's module_path for this Node's N-API version). */
export function bindingRel() {
  const napi = Number(process.versions.napi.split('.')[0]);
  return path.join('lib', `napi-v${napi >= 8 ? 8 : napi}`, 'tfjs_binding.node');
}

/**
 * Build the binding in `pkgDir` (tfjs-node's layout) with its own install script in build-from-source
 * mode. `root` is attnc's folder (its node_modules/.bin has node-pre-gyp); `extraEnv` adds to the
 * compiler's environment (the GPU build passes LDFLAGS with the library's run path).
 */
export function buildBinding(pkgDir, root, extraEnv = {}) {
  log('building tfjs-node\'s binding against libtensorflow (about a minute on 2 cores) …');
  const nodeGyp = process.env.npm_config_node_gyp
    || [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')]
      .find((p) => fs.existsSync(p));
  const nodedir = process.env.npm_config_nodedir
    || (fs.existsSync('/usr/include/node/node.h') ? '/usr' : path.resolve(path.dirname(process.execPath), '..'));
  const env = {
    ...process.env,
    npm_config_build_from_source: 'true',
    npm_config_nodedir: nodedir,
    PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
    ...extraEnv,
  };
  if (nodeGyp) env.npm_config_node_gyp = nodeGyp;
  const r = spawnSync(process.execPath, ['scripts/install.js'], { cwd: pkgDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    throw new SetupError('building the tfjs-node binding failed',
      'it needs make, g++ and Node\'s headers (Debian: build-essential; headers under /usr/include/node or npm_config_nodedir)');
  }
}

/** Whether the package in `pkgDir` loads as tfjs's `tensorflow` backend and runs an op (in a child). */
export function loads(pkgDir) {
  const probe = 'const tf=require(process.argv[1]);tf.tensor([1,2]).square().dataSync();' +
    'if(tf.getBackend()!=="tensorflow")process.exit(3)';
  const r = spawnSync(process.execPath, ['-e', probe, pkgDir], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, stdio: 'ignore', timeout: 120_000,
  });
  return r.status === 0;
}
