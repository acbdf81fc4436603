import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanInterruptedWrites, pruneCheckpoints, readCheckpointJson, readCheckpointTensors, readManifest, resolveCheckpoint, writeCheckpoint } from '../../../runtime/io/checkpoint.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { sampleCheckpoint } from './fixtures/sample-checkpoint.js';
import { tmpDir } from '../train/helpers.js';

const root = tmpDir('ckpt');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('round-trip: manifest, tensors with checksums, JSON files; latest.json points at the newest', () => {
    const dir = path.join(root, 'rt');
    writeCheckpoint(dir, 'gan-1', sampleCheckpoint(1));
    writeCheckpoint(dir, 'gan-2', sampleCheckpoint(2));
    const c = resolveCheckpoint(dir);
    expect(path.basename(c)).toBe('gan-2');
    const m = readManifest(c);
    expect(m).toMatchObject({ format: 'attnc-checkpoint', version: 1, name: 'gan-2', phase: 'gan', progress: { epoch: 2, step: 20 }, metrics: { v: 2 } });
    expect(Object.keys(m.files).sort()).toEqual(['netD0.safetensors', 'netG.safetensors', 'vocab.json']);
    const g = readCheckpointTensors(c, m, 'netG.safetensors').get('a.weight')!;
    expect(g.shape).toEqual([300_000]);
    expect(g.data[5]).toBe(205);
    expect(readCheckpointJson(c, m, 'vocab.json')).toMatchObject({ words: ['<end>', 'bird'] });
    writeCheckpoint(dir, 'best', sampleCheckpoint(3), { latest: false });
    writeCheckpoint(dir, 'best', sampleCheckpoint(4), { latest: false });
    expect(readManifest(path.join(dir, 'best')).metrics.v).toBe(4);
    expect(path.basename(resolveCheckpoint(dir))).toBe('gan-2');
    writeCheckpoint(dir, 'gan-3', sampleCheckpoint(3));
    expect(pruneCheckpoints(dir, 'gan', 2)).toEqual(['gan-1']);
    expect(fs.readdirSync(dir).sort()).toEqual(['best', 'gan-2', 'gan-3', 'latest.json']);
  });

  it('a corrupted or edited file is refused by name (size, sha256, format)', () => {
    const dir = path.join(root, 'bad');
    const c = writeCheckpoint(dir, 'x', sampleCheckpoint(1));
    const m = readManifest(c);
    const file = path.join(c, 'netD0.safetensors');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => readCheckpointTensors(c, m, 'netD0.safetensors')).toThrow(/netD0\.safetensors: does not match its sha256/);
    fs.writeFileSync(file, bytes.subarray(0, 10));
    expect(() => readCheckpointTensors(c, m, 'netD0.safetensors')).toThrow(/has 10 bytes, the manifest says/);
    fs.writeFileSync(path.join(c, 'manifest.json'), '{"format":"attnc-checkpoint","version":1,"spec":{}}');
    expect(() => readManifest(c)).toThrow(AttncError);
    expect(() => readManifest(c)).toThrow(/`spec` must hold name, sha256 and file/);
    expect(() => resolveCheckpoint(path.join(root, 'nowhere'))).toThrow(/no such run folder or checkpoint/);
  });

  it('SIGKILL in the middle of a checkpoint write leaves the previous checkpoint loadable', async () => {
    const dir = path.join(root, 'kill');
    const marker = path.join(root, 'kill-marker');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'kill-during-checkpoint.ts'), dir, marker], { stdio: 'inherit' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(marker), 'the child reached the middle of the second write').toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(fs.existsSync(path.join(dir, 'not-killed'))).toBe(false);
    // half of "second" lies in a temporary folder; "first" is what resolves and loads
    expect(fs.readdirSync(dir).some((e) => e.startsWith('.tmp-second-'))).toBe(true);
    const c = resolveCheckpoint(dir);
    expect(path.basename(c)).toBe('first');
    const m = readManifest(c);
    expect(readCheckpointTensors(c, m, 'netG.safetensors').get('a.weight')!.data[1]).toBe(101);
    expect(cleanInterruptedWrites(dir).some((e) => e.startsWith('.tmp-second-'))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['first', 'latest.json']);
  });

  it('SIGKILL while a checkpoint is being replaced (best-damsm) leaves the previous version, which the next run puts back', async () => {
    const dir = path.join(root, 'kill-replace');
    const marker = path.join(root, 'kill-replace-marker');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'kill-during-replace.ts'), dir, marker], { stdio: 'inherit' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(marker), 'the child reached the window between the two renames').toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // In that window the first version is only `.old-best-damsm-<pid>` (the new one is complete in `.tmp-…`).
    expect(fs.existsSync(path.join(dir, 'best-damsm'))).toBe(false);
    expect(fs.readdirSync(dir).some((e) => e.startsWith('.old-best-damsm-'))).toBe(true);
    cleanInterruptedWrites(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['best-damsm']);
    const m = readManifest(path.join(dir, 'best-damsm'));
    expect(m.metrics).toEqual({ v: 1 });
    expect(readCheckpointTensors(path.join(dir, 'best-damsm'), m, 'netG.safetensors').get('a.weight')!.data[1]).toBe(101);
  });
});
