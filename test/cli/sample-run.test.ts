import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../runtime/data/images.js';
import type { InferenceModel } from '../../runtime/model/contract.js';
import { sampleCaptions } from '../../cli/sample-run.js';
import { tinyModel } from '../runtime/eval/tiny-model.js';

/** Debian's chromium (`apt-get install -y chromium`; .ci/run installs it). */
function findChromium(): string | undefined {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}
const chromium = findChromium();

describe('attnc sample output', () => {
  let model: InferenceModel;
  let out: string;
  const warnings: string[] = [];
  let result: ReturnType<typeof sampleCaptions>;

  beforeAll(async () => {
    model = await tinyModel();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-sample-'));
    result = sampleCaptions(model, {
      captions: ['this bird has red wings and a white belly', '', 'a qwzx bird with a blue crown', 'zzyzx', 'the bird has red wings and a white belly and a blue crown and a long beak'],
      n: 2, seed: 11, batchSize: 3, outDir: out, warn: (l) => warnings.push(l),
    });
  });
  afterAll(() => {
    model.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('writes every stage and one attention figure per attention stage for each caption and repeat', () => {
    expect(result.captions.map((c) => c.index)).toEqual([0, 2, 4]);
    for (const c of ['c0000', 'c0002', 'c0004']) {
      expect(fs.readdirSync(path.join(out, c)).sort()).toEqual(['s0_a0.png', 's0_g0.png', 's0_g1.png', 's1_a0.png', 's1_g0.png', 's1_g1.png']);
    }
    expect(decodeImage(fs.readFileSync(path.join(out, 'c0000/s0_g1.png')), 'g1').width).toBe(64);
    const fig = decodeImage(fs.readFileSync(path.join(out, 'c0000/s1_a0.png')), 'a0');
    expect(fig.width).toBe((128 + 4) * (1 + 9) - 4); // the image + 9 words
  });

  it('reports unknown words by name, cuts long captions with a warning, and writes nothing for unusable captions', () => {
    expect(warnings).toContain('caption 3: unknown word dropped: "qwzx"');
    expect(warnings.some((w) => w.startsWith("caption 5: longer than the model's 12-word limit; cut off: \"crown and a long beak\""))).toBe(true);
    expect(result.errors.map((e) => [e.index, e.message])).toEqual([
      [1, 'caption "" has no words'],
      [3, 'caption "zzyzx" has no word the model knows (unknown: zzyzx)'],
    ]);
    expect(fs.existsSync(path.join(out, 'c0001'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'c0003'))).toBe(false);
  });

  it('index.html lists every caption with its images, escaped', () => {
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('<h2>1. this bird has red wings and a white belly</h2>');
    expect(html).toContain('unknown words dropped: qwzx');
    for (const f of result.files.filter((f) => f.endsWith('.png'))) expect(html).toContain(`src="${f}"`);
  });

  it('same seed and captions → the same images (±1 of 255) in another batch size; memory is flat', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-sample-'));
    const before = tf.memory().numTensors;
    sampleCaptions(model, { captions: ['this bird has red wings and a white belly'], n: 2, seed: 11, batchSize: 1, outDir: again });
    expect(tf.memory().numTensors).toBe(before);
    for (const f of ['s0_g1.png', 's1_g1.png']) {
      const a = decodeImage(fs.readFileSync(path.join(out, 'c0000', f)), f).data;
      const b = decodeImage(fs.readFileSync(path.join(again, 'c0000', f)), f).data;
      expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)).toBeLessThanOrEqual(1);
    }
    fs.rmSync(again, { recursive: true, force: true });
  });

  it.skipIf(!chromium)(`renders in headless Chromium${chromium ? '' : ' (SKIPPED: no chromium on PATH; `apt-get install -y chromium`)'}`, () => {
    const shot = path.join(out, 'shot.png');
    const r = spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${shot}`, '--window-size=1000,900', `file://${path.join(out, 'index.html')}`], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    const img = decodeImage(fs.readFileSync(shot), shot);
    expect([img.width, img.height]).toEqual([1000, 900]);
    // Not blank: the page background, dark text and the images' mid-grey tones all appear.
    const hist = new Map<number, number>();
    for (let i = 0; i < img.width * img.height; i++) {
      const v = img.data[i * 3]! >> 4;
      hist.set(v, (hist.get(v) ?? 0) + 1);
    }
    expect(hist.size).toBeGreaterThan(8);
    expect(hist.get(15)! / (img.width * img.height)).toBeLessThan(0.95);
    expect((hist.get(0) ?? 0) + (hist.get(1) ?? 0)).toBeGreaterThan(200);
  });
});
