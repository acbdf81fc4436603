/**
 * The `index.html` of a web export: the form and the places web/page.ts fills. Static; the scripts
 * are the site's own files (no CDN), so the folder works offline from any web server.
 */
import type { SiteManifest } from './protocol.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; background: #fafafa; color: #111; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; font-size: 13px; margin-bottom: 4px; }
form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 14px 0; }
#caption { flex: 1 1 420px; font-size: 15px; padding: 6px 8px; }
#seed { width: 90px; font-size: 15px; padding: 6px 8px; }
button { font-size: 15px; padding: 6px 18px; }
#status { font-size: 13px; color: #333; min-height: 18px; }
#status.error { color: #b00; }
progress { width: 160px; }
.caption { font-size: 16px; margin: 12px 0 4px; }
.word.used { font-weight: bold; }
.word.unknown { color: #b00; text-decoration: line-through wavy; }
.word.cut { color: #888; text-decoration: line-through; }
.warn { font-size: 13px; color: #a40; }
.stages { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 12px; margin: 12px 0; }
figure { margin: 0; text-align: center; font-size: 12px; color: #444; }
canvas { display: block; image-rendering: pixelated; border: 1px solid #ccc; }
.attention { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; margin: 10px 0; }
.attention-title { font-size: 13px; margin-bottom: 6px; }
.cells { display: grid; gap: 4px; justify-content: start; }
.cell canvas { width: 100%; height: auto; max-width: 128px; }
.cell figcaption { font-size: 13px; color: #111; margin-top: 2px; }
`;

export function siteIndexHtml(manifest: SiteManifest): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>attnc: ${esc(manifest.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>attnc: ${esc(manifest.name)} — text to image</h1>`,
    '<div class="meta" id="model">loading…</div>',
    '<div class="meta" id="backend"></div>',
    '<form id="form">',
    '<input id="caption" type="text" value="this bird has red wings and a white belly" aria-label="caption" autocomplete="off">',
    '<label>seed <input id="seed" type="number" min="0" value="0"></label>',
    '<button id="draw" type="submit" disabled>draw</button>',
    '<progress id="progress"></progress>',
    '</form>',
    '<div id="status" role="status"></div>',
    '<div id="result"></div>',
    '<noscript>This page runs the model with JavaScript.</noscript>',
    '<script src="page.js"></script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
