/**
 * The emitted tree as data: relative path → content, iterated in sorted order. Written to disk
 * or compared with a directory (the `--check` drift detector), never partially. `diffFiles` is the
 * one comparison of two trees: `--check` (disk vs memory) and `attnc diff --patch` (two models).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { isGeneratedFile } from './header.js';

export class FileSet {
  private readonly files = new Map<string, string>();

  set(file: string, content: string): void {
    this.files.set(file, content);
  }

  get(file: string): string | undefined {
    return this.files.get(file);
  }

  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  entries(): Array<[string, string]> {
    return this.paths().map((p) => [p, this.files.get(p)!]);
  }

  /** Write every file; remove files in `dir` that an earlier compile wrote and this one did not. */
  async write(dir: string): Promise<{ written: string[]; removed: string[] }> {
    await mkdir(dir, { recursive: true });
    const removed: string[] = [];
    for (const name of await listFiles(dir)) {
      if (this.files.has(name)) continue;
      const text = await readFile(path.join(dir, name), 'utf8');
      if (isGeneratedFile(name, text)) {
        await rm(path.join(dir, name));
        removed.push(name);
      }
    }
    const written: string[] = [];
    for (const [name, content] of this.entries()) {
      const target = path.join(dir, name);
      let old: string | undefined;
      try {
        old = await readFile(target, 'utf8');
      } catch {
        old = undefined;
      }
      if (old === content) continue;
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
      written.push(name);
    }
    return { written, removed };
  }

  /**
   * Compare with what is on disk under `dir` (shown as `displayDir`). Returns one unified diff per
   * file that differs, is missing (`added` by this set), or is extra (`removed`: a generated file
   * this compile no longer writes); empty when the tree is up to date. Hand-written files beside
   * the generated ones are not the compiler's business.
   */
  async check(dir: string, displayDir = dir): Promise<FilePatch[]> {
    const onDisk = new Map<string, string>();
    for (const name of await listFiles(dir).catch(() => [] as string[])) {
      const text = await readFile(path.join(dir, name), 'utf8');
      if (this.files.has(name) || isGeneratedFile(name, text)) onDisk.set(name, text);
    }
    const shown = displayDir.replace(/\\/g, '/');
    return diffFiles({ dir: shown, files: onDisk }, { dir: shown, files: this.files });
  }
}

export interface FilePatch {
  file: string;
  /** What b does to the file relative to a. */
  status: 'added' | 'removed' | 'changed';
  patch: string;
}

export interface FileTree {
  /** Display folder for patch headers (`generated/attngan1`). */
  dir: string;
  files: ReadonlyMap<string, string>;
}

/** Which files differ between two trees, in name order, without computing patches. */
export function changedFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, skip: (name: string) => boolean = () => false): Array<{ file: string; status: FilePatch['status'] }> {
  const names = [...new Set([...a.keys(), ...b.keys()])].filter((n) => !skip(n)).sort();
  return names.filter((n) => a.get(n) !== b.get(n)).map((file) => ({ file, status: !a.has(file) ? 'added' : !b.has(file) ? 'removed' : 'changed' }));
}

/** One unified diff per file that differs between a and b (`/dev/null` for a side without it). */
export function diffFiles(a: FileTree, b: FileTree, options: { context?: number; skip?: (name: string) => boolean } = {}): FilePatch[] {
  return changedFiles(a.files, b.files, options.skip).map(({ file, status }) => {
    const x = a.files.get(file);
    const y = b.files.get(file);
    const patch = createTwoFilesPatch(x === undefined ? '/dev/null' : `a/${a.dir}/${file}`, y === undefined ? '/dev/null' : `b/${b.dir}/${file}`, x ?? '', y ?? '', undefined, undefined, {
      context: options.context ?? 3,
    });
    return { file, status, patch };
  });
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
