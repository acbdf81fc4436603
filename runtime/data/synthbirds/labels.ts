import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttncError } from '../../util/errors.js';
import { BEAK_LENGTHS, BODY_SIZES, COLOURS, FACINGS, SCENES, classIdOf, type BirdAttributes } from './attributes.js';
import { SPLITS } from './splits.js';
import type { SynthAttributesRecord } from './write.js';

const ALLOWED: Record<keyof BirdAttributes, readonly string[]> = {
  wing: COLOURS, belly: COLOURS, crown: COLOURS, beak: BEAK_LENGTHS, size: BODY_SIZES, background: SCENES, facing: FACINGS,
};

/**
 * Every image's attribute labels from a written dataset's `attributes.jsonl`, by key — for
 * evaluation code that loads the images through the CUB loader. Bad lines are `AttncError`s with
 * the line number.
 */
export function readSynthAttributes(root: string): Map<string, SynthAttributesRecord> {
  const file = path.join(root, 'attributes.jsonl');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AttncError('ATTNC_DATA_MISSING', `${file}: not found or unreadable`, {
      path: file, cause: e, hint: 'attributes.jsonl is written by `attnc data synth`; regenerate the dataset',
    });
  }
  const out = new Map<string, SynthAttributesRecord>();
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '') return;
    const bad = (why: string): never => {
      throw new AttncError('ATTNC_DATA_ATTRIBUTES', `${file}:${n + 1}: ${why}`, { path: file });
    };
    let r: SynthAttributesRecord;
    try {
      r = JSON.parse(line) as SynthAttributesRecord;
    } catch {
      return bad('not valid JSON');
    }
    if (typeof r !== 'object' || r === null || typeof r.key !== 'string') bad('expected an object with a "key"');
    for (const [k, values] of Object.entries(ALLOWED)) {
      if (!values.includes((r as unknown as Record<string, string>)[k]!)) bad(`${k} must be one of ${values.join(', ')}`);
    }
    if (!(SPLITS as readonly string[]).includes(r.split)) bad(`split must be one of ${SPLITS.join(', ')}`);
    if (r.classId !== classIdOf(r as unknown as BirdAttributes)) bad(`classId ${r.classId} does not match the colours`);
    if (out.has(r.key)) bad(`key ${r.key} appears twice`);
    out.set(r.key, r);
  });
  return out;
}
