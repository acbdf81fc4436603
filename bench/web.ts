/**
 * The web page in the browser (`attnc export --format web`), measured in headless Chromium (the
 * system's, through playwright-core), on each backend the page offers:
 *
 *   npx tsx bench/web.ts                          # tiny (spec/tiny.yaml) and birds AttnGAN2 at 256 px
 *   RUN=runs/demo-1 SPECS=tiny npx tsx bench/web.ts
 *   SPECS=tiny BACKENDS=wasm DRAWS=20 npx tsx bench/web.ts
 *   RUN=runs/demo-1 SPECS=tiny BACKENDS=wasm SHOT=docs/img/web-page.png npx tsx bench/web.ts   # README's screenshot
 *
 * For each model and backend: the time from navigation start to the first image on screen (the
 * page loads the model, then draws the caption in its URL), and the time per image afterwards
 * (median over DRAWS draws after one warm-up draw): the model's forward pass with read-back in the
 * worker, and from the "draw" click to the picture on the page. Also the site's download size with
 * and without the weights. AttnGAN2 runs with random initial weights (the speed is the same as
 * trained weights'); headless Chromium's WebGL here is SwiftShader, a CPU rasteriser.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { serveFolder } from '../cli/serve.js';
import { exportWeb, loadWebTarget, type WebTarget } from '../cli/web-export.js';
import { initBackend } from '../runtime/backend/index.js';
import { grammarVocabulary } from '../runtime/data/synthbirds/captions.js';
import { Vocabulary } from '../runtime/data/vocab.js';
import { inferenceModel } from '../runtime/model/inference.js';
import { importGenerated } from '../runtime/model/load.js';
import { CHROMIUM_ARGS, chromiumPath } from '../test/web/chromium.js';

await initBackend();
const SPECS = (process.env.SPECS ?? 'tiny,attngan2').split(',');
const BACKENDS = (process.env.BACKENDS ?? 'wasm,webgl').split(',');
const DRAWS = Number(process.env.DRAWS ?? 10);
const caption = process.env.CAPTION ?? 'this bird has red wings and a white belly';
if (!chromiumPath) throw new Error('no chromium on PATH (apt-get install -y chromium)');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

async function target(spec: string): Promise<WebTarget> {
  if (spec === 'tiny') return loadWebTarget(process.env.RUN ?? 'spec/tiny.yaml', () => {});
  // Birds vocabulary sizes differ only in the embedding's rows; the synthetic grammar's words stand in.
  const gen = await importGenerated(spec);
  const vocab = new Vocabulary(['<end>', ...grammarVocabulary()]);
  return { model: inferenceModel(gen, vocab, { seed: 1 }), generatedDir: path.resolve('generated', spec), options: {}, step: null };
}

const rows: string[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-bench-web-'));
const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
try {
  for (const spec of SPECS) {
    const t = await target(spec);
    const site = path.join(tmp, spec);
    const { manifest } = await exportWeb(t, site);
    t.model.dispose();
    const total = Object.values(manifest.sizes).reduce((a, b) => a + b, 0);
    const weights = Object.entries(manifest.sizes).filter(([f]) => f.startsWith('weights/')).reduce((a, [, b]) => a + b, 0);
    const js = manifest.sizes['page.js']! + manifest.sizes['worker.js']!;
    console.log(`${spec}: site ${(total / 1024).toFixed(0)} KiB = ${(js / 1024).toFixed(0)} KiB JavaScript + ${((total - js - weights) / 1024).toFixed(0)} KiB WASM/HTML/JSON + ${(weights / 1024).toFixed(0)} KiB weights`);
    const served = await serveFolder(site, { port: 0 });
    for (const backend of BACKENDS) {
      const loadBefore = load();
      const page = await browser.newPage();
      const url = `${served.url}?backend=${backend}&seed=1&caption=${encodeURIComponent(caption)}`;
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as any).attnc?.firstImageMs != null || (globalThis as any).attnc?.errors.length > 0, null, { timeout: 600_000, polling: 50 });
      const first = await page.evaluate(() => (globalThis as any).attnc as { firstImageMs: number; readyMs: number; backend: string; errors: string[] });
      if (first.errors.length) throw new Error(`${spec} on ${backend}: ${first.errors.join('; ')}`);
      const draws = spec === 'tiny' ? DRAWS : Math.max(3, Math.round(DRAWS / 3));
      for (let i = 0; i < draws + 1; i++) {
        await page.click('#draw');
        await page.waitForFunction((n) => (globalThis as any).attnc.draws.length >= n, i + 2, { timeout: 600_000, polling: 10 });
      }
      const all = (await page.evaluate(() => (globalThis as any).attnc.draws)) as Array<{ modelMs: number; totalMs: number; shownMs: number }>;
      const timed = all.slice(2); // the auto draw and one warm-up
      if (process.env.SHOT && spec === 'tiny' && backend === BACKENDS[0]) {
        await page.setViewportSize({ width: 1180, height: 540 });
        await page.screenshot({ path: process.env.SHOT, fullPage: true });
        console.log(`screenshot → ${process.env.SHOT}`);
      }
      const row = `| ${spec} | ${first.backend} | ${(first.readyMs / 1000).toFixed(2)} s | ${(first.firstImageMs / 1000).toFixed(2)} s | ${median(timed.map((d) => d.modelMs)).toFixed(0)} ms | ${median(timed.map((d) => d.totalMs)).toFixed(0)} ms | ${median(timed.map((d) => d.shownMs)).toFixed(0)} ms | ${timed.length} | ${loadBefore} → ${load()} |`;
      console.log(row);
      rows.push(row);
      await page.close();
    }
    await served.close();
  }
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`\n${os.cpus().length} CPUs, ${os.cpus()[0]?.model}; chromium ${chromiumPath}`);
console.log('| model | backend | model loaded | first image | per image: model | + caption, noise, attention panels (worker) | click → shown | draws | load avg 1/5/15 min before → after |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
