import { chromium } from 'playwright-core';
import { serveFolder } from '/work/wt-web/cli/serve.ts';
const s = await serveFolder('/tmp/wt/site', { port: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
const backend = process.argv[2] ?? 'auto';
const t0 = Date.now();
await page.goto(s.url + '?backend=' + backend);
await page.waitForFunction(() => window.attnc && (window.attnc.readyMs !== null || window.attnc.errors.length > 0), null, { timeout: 60000 });
console.log(await page.evaluate(() => JSON.stringify(window.attnc)), Date.now() - t0);
await page.fill('#caption', 'this bird has red wings and a qwzx white belly');
for (let i = 0; i < 5; i++) {
  await page.click('#draw');
  await page.waitForFunction((n) => window.attnc.draws.length + window.attnc.errors.length >= n, i + 1, { timeout: 60000 });
}
console.log(await page.evaluate(() => JSON.stringify(window.attnc.draws)));
console.log(await page.textContent('#backend'), '|', await page.textContent('#status'));
await page.screenshot({ path: '/tmp/wt/shot-' + backend + '.png', fullPage: true });
await browser.close(); await s.close();
