import { readFileSync } from 'node:fs';

/** A corpus case: `# expect: CODE @ [file:]line:col` and optional `# set: path=value` header lines. */
export interface CaseHeader {
  code: string;
  file?: string;
  line: number;
  col: number;
  sets: string[];
}

export function readHeader(path: string): CaseHeader {
  const text = readFileSync(path, 'utf8');
  const m = /^# expect: (ATTNC\d{4}) @ (?:(.+):)?(\d+):(\d+)$/m.exec(text);
  if (!m) throw new Error(`${path}: missing "# expect: CODE @ line:col" header`);
  const sets = [...text.matchAll(/^# set: (.*)$/gm)].map((x) => x[1]!);
  return { code: m[1]!, file: m[2], line: Number(m[3]), col: Number(m[4]), sets };
}
