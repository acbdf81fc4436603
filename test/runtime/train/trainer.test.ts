import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest, resolveCheckpoint } from '../../../runtime/io/checkpoint.js';
import { silentReporter } from '../../../runtime/train/reporter.js';
import { train } from '../../../runtime/train/trainer.js';
import { readEventFile } from '../../../runtime/train/tensorboard.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { specHash } from '../../../compiler/lower/hash.js';
import { loadSpec } from '../../../compiler/pipeline.js';
import { lossesByStep, metrics, tinyModel, tmpDir, type TinyModel } from './helpers.js';

const root = tmpDir('runner');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => path.join(root, name);

describe('the trainer (tiny spec, synthetic birds)', () => {
  it('DAMSM pretraining lifts held-out R@1 well above chance, with finite losses', async () => {
    const gen = tinyModel((p) => {
      p.data.dataset = { ...p.data.dataset, images: 800 } as typeof p.data.dataset;
      p.phases.damsm = { ...p.phases.damsm, batchSize: 16, epochs: 3, logEvery: 5 };
    });
    const r = await train({ gen, generatedDir: null, runDir: dir('damsm'), phases: ['damsm'], reporter: silentReporter() });
    expect(r.ended).toBe('completed');
    const r1s = metrics(r.runDir).filter((m) => m.damsm_r1 !== undefined).map((m) => m.damsm_r1!);
    expect(r1s).toHaveLength(3);
    // chance is 1/16 = 6.25 % (image → caption within a batch of 16)
    expect(Math.max(...r1s)).toBeGreaterThan(2 / 16);
    for (const m of metrics(r.runDir)) for (const v of Object.values(m.losses ?? {})) expect(Number.isFinite(v)).toBe(true);
    expect(fs.existsSync(path.join(r.runDir, 'checkpoints', 'best-damsm', 'manifest.json'))).toBe(true);
    expect(readManifest(resolveCheckpoint(r.runDir)).progress).toMatchObject({ epoch: 3, batch: 0, damsmComplete: true });
  });

  it('same seed → same losses; a run stopped and resumed continues with the losses of an uninterrupted one', async () => {
    const gen = tinyModel();
    // 16 DAMSM steps (one epoch of 130 images, batch 8) + 12 GAN steps; stop inside the DAMSM epoch, then inside the GAN epoch.
    const full = await train({ gen, generatedDir: null, runDir: dir('full'), reporter: silentReporter(), maxSteps: 28 });
    const again = await train({ gen, generatedDir: null, runDir: dir('again'), reporter: silentReporter(), maxSteps: 28 });
    const a = lossesByStep(full.runDir);
    const b = lossesByStep(again.runDir);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) for (const [term, x] of Object.entries(v)) expect(b.get(k)![term]).toBeCloseTo(x, 5);
    expect([...a.keys()].filter((k) => k.startsWith('damsm:'))).toHaveLength(16);
    expect([...a.keys()].filter((k) => k.startsWith('gan:'))).toHaveLength(12);

    const first = await train({ gen, generatedDir: null, runDir: dir('parts'), reporter: silentReporter(), maxSteps: 13 });
    expect(first.ended).toBe('max-steps');
    expect(readManifest(first.lastCheckpoint!).progress).toMatchObject({ epoch: 0, batch: 13, step: 13 });
    const second = await train({ gen, generatedDir: null, runDir: dir('parts'), resume: first.lastCheckpoint!, reporter: silentReporter(), maxSteps: 10 });
    expect(readManifest(second.lastCheckpoint!).progress).toMatchObject({ epoch: 0, batch: 7, step: 7, damsmComplete: true });
    // A GAN checkpoint records the encoders' own epoch (the one DAMSM epoch), for `attnc export`'s text_encoder<n>.
    for (const run of [full, second]) expect(readManifest(run.lastCheckpoint!).networks['text_encoder.safetensors']).toEqual({ network: 'text_encoder', weights: 'live', epoch: 1 });
    // The DAMSM phase's own checkpoints need none (their epoch is the checkpoint's).
    expect(readManifest(first.lastCheckpoint!).networks['text_encoder.safetensors']).toEqual({ network: 'text_encoder', weights: 'live' });
    const third = await train({ gen, generatedDir: null, runDir: dir('parts'), resume: resolveCheckpoint(dir('parts')), reporter: silentReporter(), maxSteps: 5 });
    expect(third.steps).toBe(5);
    // Resumed from a GAN checkpoint, the encoders keep the epoch it recorded.
    expect(readManifest(third.lastCheckpoint!).networks['image_encoder.safetensors']).toEqual({ network: 'image_encoder', weights: 'live', epoch: 1 });
    const c = lossesByStep(dir('parts'));
    expect([...c.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) for (const [term, x] of Object.entries(v)) expect(c.get(k)![term], `${k} ${term}`).toBeCloseTo(x, 4);
  });

  it('a non-finite loss stops the run naming the term, network and step, and keeps the last checkpoint', async () => {
    const base = tinyModel((p) => (p.phases.damsm.enabled = true));
    let calls = 0;
    const gen: TinyModel = {
      ...base,
      gan: {
        ...base.gan,
        step: (...args) => {
          const out = base.gan.step(...args);
          if (++calls === 3) {
            out.generator.damsm!.dispose();
            out.generator.damsm = tf.scalar(NaN);
          }
          return out;
        },
      },
    };
    const run = dir('nan');
    const err = await train({ gen, generatedDir: null, runDir: run, reporter: silentReporter() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttncError);
    expect((err as AttncError).message).toMatch(/the loss term "damsm" of generator became NaN at step 3 \(gan phase\)/);
    expect((err as AttncError).hint).toContain('damsm-00000016');
    expect(readManifest(resolveCheckpoint(run)).phase).toBe('damsm');
  });

  it('keeps the tensor count flat and memory bounded over 200 steps', async () => {
    const gen = tinyModel((p) => {
      // logEvery 1: no loss tensors wait for a flush when onStep looks
      p.phases.damsm = { ...p.phases.damsm, batchSize: 4, epochs: 3, logEvery: 1 };
      p.phases.gan = { ...p.phases.gan, batchSize: 2, epochs: 2, logEvery: 1, sampleEvery: 50 };
    });
    const counts: Record<string, number[]> = { damsm: [], gan: [] };
    const rss: number[] = [];
    const r = await train({
      gen,
      generatedDir: null,
      runDir: dir('soak'),
      reporter: silentReporter(),
      prefetch: 0, // batches in flight would change the count with timing
      maxSteps: 200,
      onStep: (phase, step) => {
        if (step % 10 === 5) counts[phase]!.push(tf.memory().numTensors);
        rss.push(process.memoryUsage().rss);
      },
    });
    expect(r.steps).toBe(200);
    const damsm = counts.damsm!.slice(1);
    expect(damsm.length).toBeGreaterThanOrEqual(8);
    expect(new Set(damsm).size, `DAMSM tensor counts ${damsm.join(',')}`).toBe(1);
    const gan = counts.gan!.slice(1);
    expect(gan.length).toBeGreaterThanOrEqual(8);
    expect(new Set(gan).size, `GAN tensor counts ${gan.join(',')}`).toBe(1);
    const growth = (rss.at(-1)! - rss[100]!) / 2 ** 20;
    expect(growth).toBeLessThan(150);
  });

  it('writes TensorBoard events that parse back with valid CRCs: scalars, the sample grid image, the spec text', async () => {
    const gen = tinyModel((p) => (p.phases.gan.sampleEvery = 4));
    const r = await train({ gen, generatedDir: null, runDir: dir('tb'), reporter: silentReporter(), maxSteps: 26, resolvedSpec: 'name: tiny\n' });
    const files = fs.readdirSync(path.join(r.runDir, 'tensorboard'));
    expect(files).toHaveLength(1);
    const events = readEventFile(path.join(r.runDir, 'tensorboard', files[0]!));
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    const values = events.flatMap((e) => e.values.map((v) => ({ ...v, step: e.step })));
    expect(values.filter((v) => v.tag === 'damsm/encoders/loss')).toHaveLength(16);
    expect(values.find((v) => v.tag === 'gan/generator/damsm' && v.step === 6)!.scalar).toBeGreaterThan(0);
    const grid = values.find((v) => v.tag === 'samples/grid')!;
    expect(grid.image!.png.subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    expect(grid.image!.width).toBeGreaterThan(200);
    const spec = values.find((v) => v.tag === 'spec/resolved')!;
    expect(spec.plugin).toBe('text');
    expect(spec.text).toContain('name: tiny');
    expect(fs.readdirSync(path.join(r.runDir, 'samples')).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses an unwritable run folder before training, and a checkpoint of another spec', async () => {
    const blocker = dir('file');
    fs.writeFileSync(blocker, 'x');
    const err = await train({ gen: tinyModel(), generatedDir: null, runDir: path.join(blocker, 'run'), reporter: silentReporter() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttncError);
    expect((err as AttncError).message).toMatch(/the run folder cannot be written/);
    const other = tinyModel();
    const src = await train({ gen: other, generatedDir: null, runDir: dir('src'), reporter: silentReporter(), maxSteps: 2 });
    const changed = { ...other, SPEC: { ...other.SPEC, sha256: 'f'.repeat(64), name: 'tiny2' } };
    const e2 = await train({ gen: changed, generatedDir: null, runDir: dir('dst'), resume: src.lastCheckpoint!, reporter: silentReporter() }).catch((e: unknown) => e);
    expect((e2 as AttncError).message).toMatch(/the checkpoint was written by spec tiny .* this model is tiny2/);
  });

  it('resumes a checkpoint written before a key with a default existed (same hash); one of a spec with another value is refused', async () => {
    const ROOT = path.resolve(import.meta.dirname, '../../..');
    const tinySpec = async (set: string[] = []) => {
      const r = await loadSpec(path.join(ROOT, 'spec', 'tiny.yaml'), { cwd: ROOT, set });
      if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
      return r.spec;
    };
    const spec = await tinySpec();
    const gen = tinyModel();
    expect(specHash(spec)).toBe(gen.SPEC.sha256);
    // The tiny model as an attnc without `negative_queue` compiled it: its resolved spec lacks the key.
    const older = structuredClone(spec);
    const damsm = older.losses.find((l) => l.type === 'damsm')! as Partial<Extract<typeof spec.losses[number], { type: 'damsm' }>>;
    expect(damsm.negative_queue).toBe(0);
    delete damsm.negative_queue;
    const before = { ...gen, SPEC: { ...gen.SPEC, sha256: specHash(older) } };
    const src = await train({ gen: before, generatedDir: null, runDir: dir('older'), reporter: silentReporter(), maxSteps: 2 });
    expect(readManifest(src.lastCheckpoint!).spec.sha256).toBe(gen.SPEC.sha256);
    const resumed = await train({ gen, generatedDir: null, runDir: dir('older'), resume: src.lastCheckpoint!, reporter: silentReporter(), maxSteps: 1 });
    expect(resumed.steps).toBe(1);
    expect(readManifest(resumed.lastCheckpoint!).progress).toMatchObject({ step: 3 });
    // Another λ is another training setup: refused.
    const lambda = { ...gen, SPEC: { ...gen.SPEC, sha256: specHash(await tinySpec(['losses[1].lambda=4'])) } };
    const e = await train({ gen: lambda, generatedDir: null, runDir: dir('lambda'), resume: src.lastCheckpoint!, reporter: silentReporter() }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AttncError);
    expect((e as AttncError).code).toBe('ATTNC_CHECKPOINT_SPEC');
  });
});
