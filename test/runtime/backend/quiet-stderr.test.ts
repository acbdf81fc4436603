// TensorFlow's start-up lines (absl's pre-InitializeLog notice, "oneDNN custom operations are on",
// the CPU-feature notice) are hidden by default and shown under ATTNC_DEBUG; oneDNN stays on, so
// the numbers are those of a plain load (issue 20, item 11).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'attnc.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-quiet-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TF_LINES = /absl::InitializeLog|oneDNN custom operations|cpu_feature_guard|This TensorFlow binary is optimized/;

/**
 * Runs a command through sh with stderr to a real pipe (`2>&1 | cat`-like: a file here). Node's own
 * child_process pipes are socketpairs, which cannot be reopened: there the lines still show
 * (runtime/backend/quiet-stderr.ts).
 */
function sh(cmd: string, extra: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const err = path.join(tmp, `stderr-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync('sh', ['-c', `${cmd} 2> "${err}"`], { encoding: 'utf8', env: env(extra) });
  return { status: r.status, stdout: r.stdout, stderr: fs.readFileSync(err, 'utf8') };
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete e.ATTNC_DEBUG;
  delete e.TF_CPP_MIN_LOG_LEVEL;
  return { ...e, ...extra };
}

describe("TensorFlow's start-up lines", () => {
  it('attnc doctor prints none of them; ATTNC_DEBUG=1 shows them, oneDNN on', () => {
    const doctor = `"${process.execPath}" "${BIN}" doctor --no-probe`;
    const quiet = sh(doctor, {});
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toContain('backend          tensorflow (native)');
    expect(quiet.stderr).not.toMatch(TF_LINES);
    const debug = sh(doctor, { ATTNC_DEBUG: '1' });
    expect(debug.status).toBe(0);
    expect(debug.stderr).toContain('oneDNN custom operations are on');
  }, 60_000);

  it('stdout and stderr redirected to one file keep their order (both reopened for appending)', () => {
    const log = path.join(tmp, 'doctor.log');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" doctor --no-probe --backend tensorflow > "${log}" 2>&1; "${process.execPath}" "${BIN}" train /nowhere >> "${log}" 2>&1`], { encoding: 'utf8', env: env({}) });
    expect(r.status).toBe(2);
    const text = fs.readFileSync(log, 'utf8');
    expect(text).not.toMatch(TF_LINES);
    expect(text).toMatch(/^ {2}backend {10}tensorflow \(native\)\n(.*\n)*error\[ATTNC_USAGE_GENERATED\]: \/nowhere/);
  }, 60_000);

  it('a loaded backend computes the same numbers quiet and with ATTNC_DEBUG (oneDNN is not switched off)', () => {
    const script = path.join(tmp, 'conv.mts');
    fs.writeFileSync(script, [
      `import * as tf from '${path.join(ROOT, 'runtime', 'tf.ts')}';`,
      `import { initBackend } from '${path.join(ROOT, 'runtime', 'backend', 'index.ts')}';`,
      `await initBackend('tensorflow');`,
      `const x = tf.randomUniform([2, 17, 17, 8], -1, 1, 'float32', 1);`,
      `const w = tf.randomUniform([3, 3, 8, 16], -1, 1, 'float32', 2);`,
      `const y = tf.matMul(tf.conv2d(x, w, 1, 'same').reshape([-1, 16]), tf.randomUniform([16, 5], -1, 1, 'float32', 3));`,
      `process.stdout.write(Buffer.from((y.dataSync() as Float32Array).buffer).toString('base64'));`,
    ].join('\n'));
    const tsx = import.meta.resolve('tsx');
    const run = (extra: Record<string, string>) => sh(`cd "${ROOT}" && "${process.execPath}" --import "${tsx}" "${script}"`, extra);
    const quiet = run({});
    const debug = run({ ATTNC_DEBUG: '1' });
    expect(quiet.stderr).not.toMatch(TF_LINES);
    expect(quiet.status).toBe(0);
    expect(debug.stderr).toContain('oneDNN custom operations are on');
    expect(quiet.stdout.length).toBeGreaterThan(100);
    expect(quiet.stdout).toBe(debug.stdout);
  }, 60_000);
});
