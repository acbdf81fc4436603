/**
 * Wheels from the package index the user's pip is configured with (pip.conf, PIP_INDEX_URL, …),
 * by `pip download --no-deps` for Linux x86-64, whatever Python runs pip: only the shared libraries
 * inside are used. pip's own progress goes to the terminal; its output is also
 * kept to tell "the index has no such wheel" from other failures.
 */
import { spawn } from 'node:child_process';
import { AttncError } from '../../runtime/util/errors.js';

export type PipResult = { ok: true } | { ok: false; notServed: boolean; output: string } | { ok: false; noPip: true };

/** The Pythons tried for pip, in order. */
export const PYTHONS = ['python3', 'python'];

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

/** Why pip could not reach an index, when its output says so (a name that does not resolve, a timeout). */
export function unreachable(output: string): string | null {
  const m = /Failed to establish a new connection: \[Errno -?\d+\] ([^'")\]]+)/.exec(output)
    ?? /(ConnectTimeoutError|ReadTimeoutError|SSLError|ProxyError)/.exec(output);
  return m ? m[1]!.trim() : null;
}

/** pip's words for "no wheel of that name and version for this platform on the index". */
export function notServed(output: string): boolean {
  return /No matching distribution found for|Could not find a version that satisfies the requirement/.test(output);
}

/** `pip download` requirements into `dest`. */
export async function pipDownload(python: string, requirements: string[], dest: string, env: NodeJS.ProcessEnv = process.env): Promise<PipResult> {
  const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--python-version', '3.11', '--implementation', 'cp',
    ...platformTags().flatMap((t) => ['--platform', t]), '--retries', '1', '--timeout', '30', '--disable-pip-version-check', '-d', dest, ...requirements];
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
    p.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ENOENT' ? resolve({ ok: false, noPip: true }) : reject(new AttncError('ATTNC_SETUP', `cannot run ${python} -m pip: ${e.message}`))));
    p.on('close', (code) => {
      if (code === 0) resolve({ ok: true });
      else if (/No module named pip/.test(output)) resolve({ ok: false, noPip: true });
      else resolve({ ok: false, notServed: notServed(output), output });
    });
  });
}
