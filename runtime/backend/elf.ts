/**
 * The run path (DT_RUNPATH, else DT_RPATH) of an ELF shared library, read from its dynamic section:
 * TensorFlow's CUDA build finds the NVIDIA libraries through its own run path
 * ($ORIGIN/../nvidia/<library>/lib), so the GPU setup and `attnc doctor` check that it reaches the
 * folders the NVIDIA wheels were unpacked into. 64-bit little-endian (Linux x86-64) only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const DT_RPATH = 15;
const DT_RUNPATH = 29;
const SHT_DYNAMIC = 6;

/** The run path's entries as written ($ORIGIN unexpanded), or null when the file is not a 64-bit ELF or has none. */
export function readRunPath(file: string): string[] | null {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch {
    return null;
  }
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return null;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  if (shoff <= 0 || shoff + shnum * shentsize > b.length) return null;
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)), link: b.readUInt32LE(o + 0x28) };
  };
  for (let i = 0; i < shnum; i++) {
    const dyn = section(i);
    if (dyn.type !== SHT_DYNAMIC || dyn.offset + dyn.size > b.length) continue;
    const strtab = section(dyn.link);
    let runpath: string | null = null;
    let rpath: string | null = null;
    for (let o = dyn.offset; o + 16 <= dyn.offset + dyn.size; o += 16) {
      const tag = Number(b.readBigInt64LE(o));
      if (tag === 0) break;
      if (tag !== DT_RUNPATH && tag !== DT_RPATH) continue;
      const start = strtab.offset + Number(b.readBigUInt64LE(o + 8));
      const end = b.indexOf(0, start);
      if (start >= b.length || end < 0) return null;
      const value = b.toString('utf8', start, end);
      if (tag === DT_RUNPATH) runpath = value;
      else rpath = value;
    }
    const value = runpath ?? rpath;
    return value === null ? null : value.split(':').filter(Boolean);
  }
  return null;
}

/**
 * Which of `folders` the run paths of `libraries` reach, with $ORIGIN as the folder each library is
 * loaded from (`site/tensorflow`: the binding names it by that path, not through a link).
 */
export function runPathReaches(libraries: string[], folders: string[]): { reached: string[]; missed: string[] } {
  const dirs = new Set<string>();
  for (const lib of libraries) {
    for (const e of readRunPath(lib) ?? []) {
      dirs.add(path.resolve(e.replace(/^'|'$/g, '').replace(/^(\$ORIGIN|\$\{ORIGIN\})/, path.dirname(lib))));
    }
  }
  const reached = folders.filter((f) => dirs.has(path.resolve(f)));
  return { reached, missed: folders.filter((f) => !reached.includes(f)) };
}
