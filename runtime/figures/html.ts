/**
 * The `index.html` of `attnc sample`: every caption with the words the model saw, its stage
 * images and attention figures. Static, no script, relative links only: it opens from disk.
 */
export interface HtmlSample {
  /** Repeat number (0..n−1) of this caption. */
  repeat: number;
  /** One file per stage, smallest first (relative to the page). */
  stages: Array<{ file: string; size: number }>;
  /** One attention figure per attention stage (relative to the page). */
  figures: Array<{ file: string; stage: number }>;
}

export interface HtmlCaption {
  index: number;
  text: string;
  words: readonly string[];
  unknown: readonly string[];
  cut: readonly string[];
  samples: HtmlSample[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body { font-family: "DejaVu Sans", sans-serif; margin: 24px; background: #fafafa; color: #111; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; font-size: 13px; margin-bottom: 20px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 16px; margin: 0 0 6px; }
.words { font-size: 13px; color: #333; margin-bottom: 4px; }
.warn { font-size: 13px; color: #a40; }
.sample { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 10px; margin-top: 10px; }
figure { margin: 0; text-align: center; font-size: 12px; color: #444; }
figure img { display: block; image-rendering: pixelated; border: 1px solid #ccc; }
figure.attention { max-width: 100%; }
figure.attention img { max-width: 100%; height: auto; image-rendering: auto; }
`;

export function sampleIndexHtml(title: string, meta: string, captions: readonly HtmlCaption[]): string {
  const parts: string[] = [];
  parts.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', `<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  parts.push(`<h1>${escapeHtml(title)}</h1>`, `<div class="meta">${escapeHtml(meta)}</div>`);
  for (const c of captions) {
    parts.push(`<section id="caption-${c.index}">`, `<h2>${c.index + 1}. ${escapeHtml(c.text)}</h2>`);
    parts.push(`<div class="words">words fed to the model: ${c.words.map((w) => `<b>${escapeHtml(w)}</b>`).join(' ')}</div>`);
    if (c.unknown.length > 0) parts.push(`<div class="warn">unknown words dropped: ${c.unknown.map(escapeHtml).join(', ')}</div>`);
    if (c.cut.length > 0) parts.push(`<div class="warn">cut at the word limit: ${c.cut.map(escapeHtml).join(' ')}</div>`);
    for (const s of c.samples) {
      parts.push('<div class="sample">');
      for (const st of s.stages) {
        const shown = Math.max(st.size, 128);
        parts.push(`<figure><img src="${escapeHtml(st.file)}" width="${shown}" height="${shown}" alt="sample ${s.repeat + 1}, ${st.size}×${st.size}"><figcaption>${st.size}×${st.size}</figcaption></figure>`);
      }
      parts.push('</div>');
      for (const f of s.figures) {
        parts.push(`<div class="sample"><figure class="attention"><img src="${escapeHtml(f.file)}" alt="attention maps of stage ${f.stage + 1}"><figcaption>word attention, stage ${f.stage + 1} (sample ${s.repeat + 1})</figcaption></figure></div>`);
      }
    }
    parts.push('</section>');
  }
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}
