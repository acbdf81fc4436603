import { createHash } from 'node:crypto';
import { withoutDefaults } from '../resolve/defaults.js';
import { SpecSchema } from '../schema/spec-schema.js';

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

/**
 * Hash of a resolved spec: what the `spec-sha256` header, `SPEC.sha256` and the manifests of the
 * generated folder and of every checkpoint carry, and what `--resume` and loading a checkpoint
 * compare. It covers the canonical JSON of the spec without the keys at their schema default
 * (`withoutDefaults`): a key that a later attnc adds with a default, or that a spec writes out at its
 * default, does not change it, so a run started before an upgrade resumes after it; any value that
 * differs from its default does. Defaults therefore never change meaning: a new behaviour is a new
 * value, with the old one kept as the default.
 */
export function specHash(spec: unknown): string {
  return sha256(canonicalJson(withoutDefaults(SpecSchema, spec)));
}
