/**
 * The web page end to end in real Chromium (headless, the system's browser through playwright-core):
 * a tiny checkpoint that `attnc train` writes, exported with `attnc export --format web`, served by
 * attnc's own server; a caption typed and drawn on WASM; the screenshot's pixels compared with
 * `attnc sample`'s PNGs for the same checkpoint, caption and seed (stage images and every word's
 * attention panel); one attention cell per word; the unknown word marked; the cut words reported.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { serveFolder, type ServedFolder } from '../../cli/serve.js';
import { decodeImage } from '../../runtime/data/images.js';
import type { RgbImage } from '../../runtime/data/images.js';
import { CHROMIUM_ARGS, chromiumPath, skipBrowser, skipReason } from './chromium.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/attnc.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });

const CAPTION = 'this bird has red wings and a qwzx white belly';
const SEED = 7;
const LONG = 'a bird with red wings and a white belly and a blue crown and a long beak';

/** Per channel |a − b| over two RGB images of one size: the largest, and how many values differ by more than 1. */
function compare(a: RgbImage, b: RgbImage): { max: number; over1: number; mean: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let max = 0;
  let over1 = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    max = Math.max(max, d);
    sum += d;
    if (d > 1) over1++;
  }
  return { max, over1, mean: sum / a.data.length };
}

/** A w × h region of an RGB image, every `step`-th pixel from (x, y) (undoing a whole-number zoom). */
function crop(img: RgbImage, x: number, y: number, w: number, h: number, step = 1): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const s = ((y + j * step) * img.width + (x + i * step)) * 3;
      data.set(img.data.subarray(s, s + 3), (j * w + i) * 3);
    }
  }
  return { data, width: w, height: h };
}

/** A canvas's pixels as the screen shows them: its content box (inside the 1 px border), zoom undone. */
async function shotOf(page: Page, selector: string, size: number): Promise<RgbImage> {
  const el = page.locator(selector);
  const box = (await el.boundingBox())!;
  const scale = Math.round((box.width - 2) / size);
  const png = await page.screenshot({ clip: { x: box.x + 1, y: box.y + 1, width: size * scale, height: size * scale } });
  const img = decodeImage(png, selector);
  // The middle of each zoomed pixel.
  return crop(img, Math.floor(scale / 2), Math.floor(scale / 2), size, size, scale);
}

describe.skipIf(skipBrowser)(`the web page in Chromium${skipReason}`, () => {
  let tmp: string;
  let served: ServedFolder;
  let browser: Browser;
  let page: Page;
  const nodeOut = (seed: number) => path.join(tmp, `node-${seed}`);

  beforeAll(async () => {
    expect(chromiumPath, 'ATTNC_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install -y chromium)').toBeDefined();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-web-'));
    const runDir = path.join(tmp, 'run');
    // The tiny checkpoint fixture: one short DAMSM epoch, then GAN steps (EMA generator).
    const t = run('train', 'generated/tiny', '--out', runDir, '--set', 'train.damsm.epochs=1', '--set', 'data.dataset.images=80', '--max-steps', '6');
    expect(t.status, t.stderr).toBe(0);
    const e = run('export', runDir, '--format', 'web', '--out', path.join(tmp, 'site'));
    expect(e.status, e.stderr).toBe(0);
    for (const seed of [SEED, SEED + 1]) {
      const s = run('sample', runDir, '--text', CAPTION, '--seed', String(seed), '--out', nodeOut(seed));
      expect(s.status, s.stderr).toBe(0);
    }
    served = await serveFolder(path.join(tmp, 'site'), { port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1500, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${served.url}?backend=wasm`);
    await page.waitForFunction(() => (globalThis as any).attnc?.readyMs != null || (globalThis as any).attnc?.errors.length > 0, null, { timeout: 60_000 });
    await page.fill('#caption', CAPTION);
    await page.fill('#seed', String(SEED));
    await page.click('#draw');
    await page.waitForSelector('#result[data-drawn="1"]', { timeout: 60_000 });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('loads on WASM, says so, and draws without an error', async () => {
    expect(await page.evaluate(() => (globalThis as any).attnc.errors)).toEqual([]);
    expect(await page.textContent('#backend')).toBe('running on WASM');
    expect(await page.textContent('#status')).toMatch(/^drawn in \d+ ms \(model\) on WASM$/);
    const shot = await page.screenshot({ fullPage: true });
    const img = decodeImage(shot, 'page');
    expect(img.width).toBe(1500);
  });

  it("shows attnc sample's pixels for the same checkpoint, caption and seed (stage images and attention panels)", async () => {
    const diffs: Record<string, ReturnType<typeof compare>> = {};
    const other: Record<string, ReturnType<typeof compare>> = {};
    for (const [k, size] of [[0, 32], [1, 64]] as const) {
      const shown = await shotOf(page, `canvas[data-stage="${k}"]`, size);
      const node = decodeImage(fs.readFileSync(path.join(nodeOut(SEED), 'c0000', `s0_g${k}.png`)), 'node');
      diffs[`stage ${k}`] = compare(shown, node);
      other[`stage ${k}`] = compare(shown, decodeImage(fs.readFileSync(path.join(nodeOut(SEED + 1), 'c0000', `s0_g${k}.png`)), 'node'));
    }
    // The Node figure: [image | word 1 | …], 128 px panels 4 px apart.
    const figure = decodeImage(fs.readFileSync(path.join(nodeOut(SEED), 'c0000', 's0_a0.png')), 'figure');
    const otherFigure = decodeImage(fs.readFileSync(path.join(nodeOut(SEED + 1), 'c0000', 's0_a0.png')), 'figure');
    const cells = await page.locator('.attention .cell canvas').count();
    for (let c = 0; c < cells; c++) {
      const shown = await shotOf(page, `.attention .cell >> nth=${c} >> canvas`, 128);
      diffs[`panel ${c}`] = compare(shown, crop(figure, 132 * c, 0, 128, 128));
      other[`panel ${c}`] = compare(shown, crop(otherFigure, 132 * c, 0, 128, 128));
    }
    if (process.env.ATTNC_WEB_DIFFS) console.log(JSON.stringify({ diffs, other }));
    for (const [what, d] of Object.entries(diffs)) {
      // float32 on WASM vs native TensorFlow: at most a rounding step here and there.
      expect(d.max, `${what}: ${JSON.stringify(d)}`).toBeLessThanOrEqual(2);
      expect(d.mean, what).toBeLessThan(0.05);
    }
    // Another seed's pictures are far outside that tolerance, so the comparison can fail.
    const words = Object.keys(other).filter((k) => k.startsWith('panel ') && k !== 'panel 0');
    expect(words.length).toBeGreaterThan(0);
    for (const k of words) expect(other[k]!.max, k).toBeGreaterThan(20);
  });

  it('has one attention cell per word the model saw, each labelled with its word', async () => {
    const fed = await page.locator('.word.used').allTextContents();
    expect(fed).toEqual(['this', 'bird', 'has', 'red', 'wings', 'and', 'a', 'white', 'belly']);
    expect(await page.locator('.attention .cell.word').count()).toBe(fed.length);
    expect(await page.locator('.attention .cell.word figcaption').allTextContents()).toEqual(fed);
    expect(await page.locator('.attention .cell.image figcaption').allTextContents()).toEqual(['(image)']);
  });

  it('marks the unknown word in the caption and says it was dropped', async () => {
    expect(await page.locator('.word.unknown').allTextContents()).toEqual(['qwzx']);
    expect(await page.textContent('.unknown-note')).toBe('unknown word dropped: qwzx');
  });

  it('says what was cut from a caption over the word limit, and reports a caption with no known word', async () => {
    await page.fill('#caption', LONG);
    await page.click('#draw');
    await page.waitForSelector('#result[data-drawn="2"]', { timeout: 60_000 });
    expect(await page.locator('.word.cut').allTextContents()).toEqual(['crown', 'and', 'a', 'long', 'beak']);
    expect(await page.textContent('.cut-note')).toBe('longer than the model\'s 12-word limit; cut off: "crown and a long beak"');
    expect(await page.locator('.attention .cell.word').count()).toBe(12);
    await page.fill('#caption', 'qwzx zzyzx');
    await page.click('#draw');
    await page.waitForSelector('#result[data-drawn="3"]', { timeout: 60_000 });
    expect(await page.textContent('#status')).toMatch(/^error: caption "qwzx zzyzx" has no word the model knows \(unknown: qwzx, zzyzx\)/);
  });
});
