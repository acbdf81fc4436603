import { spawnSync } from 'node:child_process';

/**
 * Debian's chromium on PATH (`apt-get install -y chromium`; .ci/run installs it), driven through
 * playwright-core with the system browser: nothing is downloaded. Where it is missing the browser
 * tests skip and say so, unless ATTNC_REQUIRE_CHROMIUM=1 (CI), where they fail.
 */
export function findChromium(): string | undefined {
  for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

export const chromiumPath = findChromium();
export const requireChromium = process.env.ATTNC_REQUIRE_CHROMIUM === '1';
/** Skip the browser tests only where chromium is missing and CI has not asked for it. */
export const skipBrowser = !chromiumPath && !requireChromium;
export const skipReason = skipBrowser ? ' (SKIPPED: no chromium on PATH; `apt-get install -y chromium`, or ATTNC_REQUIRE_CHROMIUM=1 to fail instead)' : '';

/** The flags every launch uses: headless, no sandbox (root in CI), sRGB so screenshots keep the page's exact colours. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--force-color-profile=srgb', '--disable-dev-shm-usage'];
