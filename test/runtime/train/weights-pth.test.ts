import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePth } from '../../../runtime/io/pth-write.js';
import { exportState } from '../../../runtime/nn/state.js';
import { readCheckpointTensors, readManifest, resolveCheckpoint } from '../../../runtime/io/checkpoint.js';
import { silentReporter } from '../../../runtime/train/reporter.js';
import { train } from '../../../runtime/train/trainer.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { Generator } from '../../../generated/tiny/index.js';
import { Rng } from '../../../runtime/util/rng.js';
import { tinyModel, tmpDir } from './helpers.js';

// A spec's `weights:` may name the original's PyTorch .pth files directly: the runner loads them
// with the safe reader, strictly, by layer kind (here a G state_dict written in PyTorch layout).
const root = tmpDir('weights-pth');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function generatorPth(file: string, drop?: string): Map<string, Float32Array> {
  const g = new Generator();
  g.resetParameters(new Rng('weights-pth'));
  const state = [...exportState(g)].filter(([n]) => n !== drop);
  g.dispose();
  fs.writeFileSync(file, writePth(state.map(([name, t]) => ({ name, shape: t.shape, data: t.data }))));
  return new Map(state.map(([n, t]) => [n, t.data]));
}

describe('spec weights: files in PyTorch .pth format', () => {
  it('the generator .pth is loaded before training (one Adam step later, every weight within 1e-3 of the file)', async () => {
    const file = path.join(root, 'netG.pth');
    const want = generatorPth(file);
    const gen = tinyModel((p) => {
      p.phases.damsm.enabled = false;
      p.weights.generator = file;
    });
    const reporter = silentReporter();
    const r = await train({ gen, generatedDir: null, runDir: path.join(root, 'run'), phases: ['gan'], reporter, maxSteps: 1 });
    expect(reporter.lines.join('\n')).toMatch(/loaded generator weights from \S+netG\.pth \(zip \.pth, \d+ tensors\)/);
    const ckpt = resolveCheckpoint(r.runDir);
    const m = readManifest(ckpt);
    const live = readCheckpointTensors(ckpt, m, m.files['netG_live.safetensors'] ? 'netG_live.safetensors' : 'netG.safetensors');
    // Adam moves each parameter by about lr = 2e-4 per step; a random init would differ by ~0.1.
    // (BN running statistics move by momentum 0.1 in the train-mode step: not compared.)
    for (const [name, data] of want) {
      if (/running_(mean|var)$/.test(name)) continue;
      const got = live.get(name)!.data;
      let worst = 0;
      for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(got[i]! - data[i]!));
      expect(worst, name).toBeLessThan(1e-3);
    }
  });

  it('a .pth that does not fit is refused with the listing, before training', async () => {
    const file = path.join(root, 'netG-partial.pth');
    generatorPth(file, 'img_net2.img.0.weight');
    const gen = tinyModel((p) => {
      p.phases.damsm.enabled = false;
      p.weights.generator = file;
    });
    const err = await train({ gen, generatedDir: null, runDir: path.join(root, 'bad'), phases: ['gan'], reporter: silentReporter(), maxSteps: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttncError);
    expect((err as Error).message).toMatch(/missing from \S+netG-partial\.pth \(1\):\n  img_net2\.img\.0\.weight \[3, 8, 3, 3\]/);
  });
});
