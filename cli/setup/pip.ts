/**
 * Wheels from the package index the user's pip is configured with (pip.conf, PIP_INDEX_URL, …),
 * one requirement per `pip download --no-deps` for Linux x86-64, whatever Python runs pip: only the
 * shared libraries inside are used. pip's own progress goes to the terminal; its output is also
 * kept to tell "the index has no such wheel" from other failures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { AttncError } from '../../runtime/util/errors.js';

export type PipResult = { ok: true } | { ok: false; notServed: boolean; output: string };

/** python3 or python that has pip, or null. */
export function findPip(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { stdio: 'ignore', env });
    if (r.status === 0) return py;
  }
  return null;
}

/** manylinux tags this machine's glibc runs, newest first, for pip's --platform. */
export function platformTags(): string[] {
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  const minor = Number(/^2\.(\d+)/.exec(glibc ?? '')?.[1] ?? 17);
  const tags: string[] = [];
  for (let m = Math.max(minor, 17); m >= 17; m--) tags.push(`manylinux_2_${m}_x86_64`);
  tags.push('manylinux2014_x86_64');
  return tags;
}

/** "Looking in indexes: …" / "Looking in links: …" as pip printed them (PyPI when it printed none). */
export function indexesOf(output: string): string {
  const lines = output.split('\n').map((l) => /^Looking in (?:indexes|links): (.+)$/.exec(l.trim())?.[1]).filter(Boolean);
  return lines.length ? [...new Set(lines)].join('; ') : 'https://pypi.org/simple (pip\'s default)';
}

/** pip's words for "no wheel of that name and version for this platform on the index". */
export function notServed(output: string): boolean {
  return /No matching distribution found for|Could not find a version that satisfies the requirement/.test(output);
}

/** `pip download` one requirement into `dest`. */
export async function pipDownload(python: string, requirement: string, dest: string, env: NodeJS.ProcessEnv = process.env): Promise<PipResult> {
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--python-version', '3.11', '--implementation', 'cp',
    ...platformTags().flatMap((t) => ['--platform', t]), '--retries', '1', '--timeout', '30', '--disable-pip-version-check', '-d', dest, requirement];
  return new Promise((resolve, reject) => {
    const p = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const forward = (b: Buffer) => {
      output += b.toString('utf8');
      // pip's progress bar and messages, indented under attnc's own lines.
      process.stderr.write(b);
    };
    p.stdout.on('data', forward);
    p.stderr.on('data', forward);
    p.on('error', (e) => reject(new AttncError('ATTNC_SETUP', `cannot run ${python} -m pip: ${e.message}`)));
    p.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, notServed: notServed(output), output }));
  });
}
