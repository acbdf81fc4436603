/**
 * The wheels the GPU library is made of: TensorFlow's CUDA build (`tensorflow==2.21.0`) and the
 * NVIDIA wheels its METADATA asks for under the `and-cuda` extra (what `pip install
 * tensorflow[and-cuda]` would add). Names, versions and requirement specifiers as pip writes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttncError } from '../../runtime/util/errors.js';
import { compareVersions } from '../../runtime/backend/nvidia.js';
import { listZip, readZipEntry } from './zip.js';

export const TF_VERSION = '2.21.0';

export interface WheelName {
  file: string;
  /** Normalised distribution name: lower case, runs of -_. as one "-" (nvidia-cudnn-cu12). */
  name: string;
  version: string;
  platform: string;
}

export interface Requirement {
  name: string;
  /** "<13.0,>=12.5.3.2" (empty: any version). */
  spec: string;
}

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`, or null. */
export function parseWheelName(file: string): WheelName | null {
  const m = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(path.basename(file));
  if (!m) return null;
  return { file, name: normaliseName(m[1]!), version: m[2]!, platform: m[5]! };
}

/** Wheels that run on Linux x86-64 (manylinux/linux tags) or anywhere. */
export function linuxX64(w: WheelName): boolean {
  return w.platform === 'any' || w.platform.split('.').some((p) => /^(many)?linux.*_x86_64$/.test(p));
}

/** The release part of a version, numerically comparable ("12.5.3.2"; "2.27.7.post1" → "2.27.7"). */
function release(v: string): string {
  return /^\d+(?:\.\d+)*/.exec(v)?.[0] ?? '0';
}

/** Whether `version` satisfies every clause of `spec` (<, <=, >, >=, ==, !=, ~=; release numbers only). */
export function satisfies(version: string, spec: string): boolean {
  const v = release(version);
  for (const clause of spec.split(',').map((c) => c.trim()).filter(Boolean)) {
    const m = /^(~=|==|!=|<=|>=|<|>)\s*(.+)$/.exec(clause);
    if (!m) return false;
    const [, op, raw] = m;
    if (raw!.endsWith('.*')) {
      const prefix = raw!.slice(0, -2);
      const matches = v === prefix || v.startsWith(prefix + '.');
      if ((op === '==') !== matches) return false;
      continue;
    }
    const r = release(raw!);
    const c = compareVersions(v, r);
    // ~=X.Y.Z: >= X.Y.Z and the same X.Y.
    const prefix = (x: string, n: number) => x.split('.').slice(0, n).join('.');
    const compatible = () => c >= 0 && compareVersions(prefix(v, r.split('.').length - 1), prefix(r, r.split('.').length - 1)) === 0;
    const ok = { '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0, '==': c === 0, '!=': c !== 0 }[op as '<'] ?? compatible();
    if (!ok) return false;
  }
  return true;
}

export function formatRequirement(r: Requirement): string {
  return `${r.name}${r.spec}`;
}

/** The wheel's METADATA text. */
export function readMetadata(wheel: string): string {
  const entry = listZip(wheel).find((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
  if (!entry) throw new AttncError('ATTNC_SETUP', `${wheel} has no .dist-info/METADATA: not a wheel`, { path: wheel });
  return readZipEntry(wheel, entry).toString('utf8');
}

/** Name and version from METADATA, and its requirements under `extra` (`and-cuda`). */
export function parseMetadata(text: string, extra = 'and-cuda'): { name: string; version: string; requires: Requirement[] } {
  // Header lines end at the first blank line (the description follows).
  const headers = text.split(/\r?\n\r?\n/)[0]!.split(/\r?\n/);
  const field = (k: string) => headers.find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim() ?? '';
  const requires: Requirement[] = [];
  for (const line of headers.filter((l) => l.startsWith('Requires-Dist:'))) {
    const [req, marker] = line.slice('Requires-Dist:'.length).split(';', 2).map((s) => s.trim());
    if (!marker || !new RegExp(`extra\\s*==\\s*["']${extra.replace(/[-]/g, '[-_]')}["']`).test(marker)) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?([^)]*)\)?$/.exec(req!);
    if (m) requires.push({ name: normaliseName(m[1]!), spec: m[2]!.replace(/\s+/g, '') });
  }
  return { name: normaliseName(field('Name')), version: field('Version'), requires };
}

/** Linux x86-64 wheels in `dir`, parsed (anything else there is ignored). */
export function wheelsIn(dir: string): WheelName[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch (e) {
    throw new AttncError('ATTNC_SETUP', `cannot read the wheel folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: dir });
  }
  return files.sort().map((f) => parseWheelName(path.join(dir, f))).filter((w): w is WheelName => w !== null && linuxX64(w));
}

/** The newest wheel in `wheels` that meets `r`. */
export function pick(wheels: WheelName[], r: Requirement): WheelName | undefined {
  return wheels
    .filter((w) => w.name === r.name && satisfies(w.version, r.spec))
    .sort((a, b) => compareVersions(release(b.version), release(a.version)))[0];
}
