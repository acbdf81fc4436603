import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same value gives the same text on any machine. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of the resolved spec: what the `spec-sha256` header and the manifest carry. */
export function specHash(spec: unknown): string {
  return sha256(canonicalJson(spec));
}
