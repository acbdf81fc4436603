/**
 * The emitted tree as data: relative path → content, iterated in sorted order. Written to disk
 * or compared with a directory (the `--check` drift detector), never partially.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { GENERATED_MARKER } from './header.js';

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
      if (text.startsWith(GENERATED_MARKER) || name === 'manifest.json') {
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
   * file that differs, is missing, or is extra; empty when the tree is up to date.
   */
  async check(dir: string, displayDir = dir): Promise<Array<{ file: string; status: 'changed' | 'missing' | 'extra'; patch: string }>> {
    const out: Array<{ file: string; status: 'changed' | 'missing' | 'extra'; patch: string }> = [];
    const onDisk = new Set(await listFiles(dir).catch(() => [] as string[]));
    const all = [...new Set([...this.paths(), ...onDisk])].sort();
    for (const name of all) {
      const want = this.files.get(name);
      let have: string | undefined;
      if (onDisk.has(name)) have = await readFile(path.join(dir, name), 'utf8');
      if (want === undefined && have !== undefined && !(have.startsWith(GENERATED_MARKER) || name === 'manifest.json')) continue;
      if (want === have) continue;
      const shown = `${displayDir}/${name}`.replace(/\\/g, '/');
      const patch = createTwoFilesPatch(`a/${shown}`, `b/${shown}`, have ?? '', want ?? '', undefined, undefined, { context: 3 });
      out.push({ file: name, status: have === undefined ? 'missing' : want === undefined ? 'extra' : 'changed', patch });
    }
    return out;
  }
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
