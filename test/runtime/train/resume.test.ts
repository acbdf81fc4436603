import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WordAttention } from '../../../runtime/blocks/word-attention.js';
import { readManifest, resolveCheckpoint } from '../../../runtime/io/checkpoint.js';
import { silentReporter } from '../../../runtime/train/reporter.js';
import { train } from '../../../runtime/train/trainer.js';
import type { Callback } from '../../../runtime/train/callbacks/callback.js';
import { metrics, tinyModel, tmpDir } from './helpers.js';

const root = tmpDir('resume');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => path.join(root, name);

/**
 * Two DAMSM epochs (16 steps each, a fresh optimizer every epoch as the original), then one GAN
 * epoch (32 steps); losses read every 5 steps, a checkpoint every epoch, a sample grid every 10
 * GAN steps.
 */
const gen = tinyModel((p) => {
  p.phases.damsm = { ...p.phases.damsm, epochs: 2, logEvery: 5 };
  p.phases.gan = { ...p.phases.gan, epochs: 1, logEvery: 5, sampleEvery: 10 };
});

/** Every loss and metric line by `phase:step`, and the bytes of what the final checkpoint holds. */
function record(runDir: string) {
  const lines = new Map<string, Record<string, number>>();
  for (const m of metrics(runDir)) {
    const key = `${m.phase}:${m.step}${m.losses ? '' : ':epoch'}`;
    lines.set(key, m.losses ?? { damsm_r1: m.damsm_r1! });
  }
  const last = readManifest(resolveCheckpoint(runDir));
  const files = Object.fromEntries(Object.entries(last.files).filter(([f]) => f.endsWith('.safetensors')).map(([f, e]) => [f, e.sha256]));
  return { lines, files, progress: last.progress, metrics: last.metrics };
}

describe('resume', () => {
  it('is exact from any step of either phase: stopped at 5 points and resumed, the run ends with the same bits as an uninterrupted one', async () => {
    const whole = await train({ gen, generatedDir: null, runDir: dir('whole'), reporter: silentReporter() });
    expect(whole.ended).toBe('completed');
    const want = record(whole.runDir);
    expect(want.progress).toMatchObject({ epoch: 1, batch: 0, step: 32, done: ['damsm', 'gan'] });

    // Stops (steps of this invocation): DAMSM step 7 (mid-epoch), 16 (an epoch's last batch: its R@1
    // and snapshot still to do), 23; GAN step 3, 17 — none a multiple of the 5-step log cadence or of
    // the 16-step epoch but one, and 17 between two sample grids.
    const parts = dir('parts');
    let runs = 0;
    for (const n of [7, 9, 7, 12, 14, 100]) {
      const r = await train({ gen, generatedDir: null, runDir: parts, ...(runs++ ? { resume: resolveCheckpoint(parts) } : {}), maxSteps: n, reporter: silentReporter() });
      if (n === 100) expect(r.ended).toBe('completed');
      else expect(r.ended).toBe('max-steps');
    }
    const got = record(parts);
    // The same bits in every network and optimizer, and the same place.
    expect(got.files).toEqual(want.files);
    expect(got.progress).toEqual(want.progress);
    expect(got.metrics).toEqual(want.metrics);
    // Every loss both runs logged, and every epoch's R@1, are identical (not merely close).
    const common = [...want.lines.keys()].filter((k) => got.lines.has(k));
    expect(common.length).toBeGreaterThanOrEqual(14);
    expect(common.filter((k) => k.endsWith(':epoch'))).toEqual(['damsm:16:epoch', 'damsm:32:epoch']);
    for (const k of common) expect(got.lines.get(k), k).toEqual(want.lines.get(k));
    // The resumed run logged the stop points too (they flush), so they were compared where both have them.
    expect(got.lines.has('damsm:7')).toBe(true);
    expect(got.lines.has('gan:17')).toBe(true);
  });

  it("carries the checkpoint's options (the original's attention mask of imported weights) into training and every later checkpoint", async () => {
    const first = await train({ gen, generatedDir: null, runDir: dir('options'), maxSteps: 34, reporter: silentReporter() });
    const ckpt = first.lastCheckpoint!;
    // What `attnc import` writes for the AttnGAN authors' weights.
    const manifestFile = path.join(ckpt, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { options: Record<string, string> };
    m.options.attention_mask = 'original_bug';
    fs.writeFileSync(manifestFile, JSON.stringify(m));
    const modes: string[] = [];
    const watch: Callback = {
      phaseStart: (run) => {
        for (const [, mod] of run.source.model.generator.namedModules()) if (mod instanceof WordAttention) modes.push(mod.maskMode);
      },
    };
    const reporter = silentReporter();
    const second = await train({ gen, generatedDir: null, runDir: dir('options'), resume: ckpt, maxSteps: 2, reporter, callbacks: [watch] });
    expect(modes).toEqual(['original_bug']);
    expect(reporter.lines.join('\n')).toMatch(/attention mask: original_bug/);
    expect(readManifest(second.lastCheckpoint!).options).toEqual({ attention_mask: 'original_bug' });
  });

  it('reports the best monitored value and its checkpoint, also after a resume', async () => {
    const g = tinyModel((p) => (p.phases.damsm = { ...p.phases.damsm, epochs: 3 }));
    const first = await train({ gen: g, generatedDir: null, runDir: dir('best'), phases: ['damsm'], maxSteps: 40, reporter: silentReporter() });
    const r1s = metrics(first.runDir).filter((x) => x.damsm_r1 !== undefined).map((x) => x.damsm_r1!);
    expect(r1s).toHaveLength(2);
    const best = readManifest(path.join(first.runDir, 'checkpoints', 'best-damsm'));
    expect(first.best).toEqual({ metric: 'damsm_r1', value: Math.max(...r1s) });
    expect(best.metrics.damsm_r1).toBe(Math.max(...r1s));
    const second = await train({ gen: g, generatedDir: null, runDir: dir('best'), phases: ['damsm'], resume: first.lastCheckpoint!, reporter: silentReporter() });
    const all = metrics(second.runDir).filter((x) => x.damsm_r1 !== undefined).map((x) => x.damsm_r1!);
    expect(all).toHaveLength(3);
    expect(second.best).toEqual({ metric: 'damsm_r1', value: Math.max(...all) });
    expect(second.bestCheckpoint).toBe(path.join(second.runDir, 'checkpoints', 'best-damsm'));
    expect(readManifest(second.bestCheckpoint!).metrics.damsm_r1).toBe(Math.max(...all));
    // Continued into the GAN phase, the run still knows its best DAMSM checkpoint.
    const third = await train({ gen: g, generatedDir: null, runDir: dir('best'), resume: second.lastCheckpoint!, maxSteps: 1, reporter: silentReporter() });
    expect(third.best).toEqual(second.best);
    expect(third.bestCheckpoint).toBe(second.bestCheckpoint);
  });
});
