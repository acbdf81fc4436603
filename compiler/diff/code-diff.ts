/**
 * `--patch`: unified diff of the two generated trees, one patch per file that differs, in file-name
 * order. manifest.json is left out: it repeats the resolved spec and graph the other sections show.
 */
import { createTwoFilesPatch } from 'diff';

export interface FilePatch {
  file: string;
  status: 'added' | 'removed' | 'changed';
  patch: string;
}

/** Which generated files differ, without computing patches. */
export function changedFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): Array<{ file: string; status: FilePatch['status'] }> {
  const names = [...new Set([...a.keys(), ...b.keys()])].filter((n) => n !== 'manifest.json').sort();
  return names
    .filter((n) => a.get(n) !== b.get(n))
    .map((file) => ({ file, status: !a.has(file) ? 'added' : !b.has(file) ? 'removed' : 'changed' }) as const);
}

export function diffCode(a: { dir: string; files: ReadonlyMap<string, string> }, b: { dir: string; files: ReadonlyMap<string, string> }, context = 3): FilePatch[] {
  const names = [...new Set([...a.files.keys(), ...b.files.keys()])].filter((n) => n !== 'manifest.json').sort();
  const out: FilePatch[] = [];
  for (const name of names) {
    const x = a.files.get(name);
    const y = b.files.get(name);
    if (x === y) continue;
    const patch = createTwoFilesPatch(x === undefined ? '/dev/null' : `a/${a.dir}/${name}`, y === undefined ? '/dev/null' : `b/${b.dir}/${name}`, x ?? '', y ?? '', undefined, undefined, { context });
    out.push({ file: name, status: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed', patch });
  }
  return out;
}
