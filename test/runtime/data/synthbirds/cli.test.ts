import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../../../bin/attnc.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-synth-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('attnc data synth', () => {
  it('writes the dataset, reports progress on stderr and a summary on stdout', () => {
    const out = path.join(tmp, 'birds');
    const r = run('data', 'synth', '--out', out, '--n', '12', '--size', '32', '--seed', '4');
    expect(r.stderr).toContain('rendered 12/12');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/synthetic birds: 12 images of 32×32, seed 4/);
    expect(r.stdout).toMatch(/train\s+\d+ images\s+\d+ classes/);
    expect(r.stdout).toMatch(/heldout\s+\d+ images/);
    expect(r.stdout).toMatch(/vocabulary \d+ words/);
    expect(r.stdout).toContain(out);
    for (const f of ['preview.png', 'captions.pickle', 'train/filenames.pickle', 'CUB_200_2011/bounding_boxes.txt', 'attributes.jsonl']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
  });

  it('reports bad options and unwritable folders as user errors (exit 2, no stack trace)', () => {
    const bad = run('data', 'synth', '--out', path.join(tmp, 'x'), '--size', '300');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--size must be an integer in 32..256');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    const blocked = run('data', 'synth', '--out', path.join(file, 'sub'), '--n', '2', '--size', '32');
    expect(blocked.status).toBe(2);
    expect(blocked.stderr).toContain('ATTNC_IO_WRITE');
    expect(blocked.stderr).not.toMatch(/\n\s+at /);
  });
});
