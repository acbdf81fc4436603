/**
 * The page of `attnc export --format web` / `attnc serve`: a caption box, a seed and "draw". The
 * model runs in a Web Worker (web/worker.ts); this file only shows what it sends back — each
 * stage's image, and per attention stage the paper's figure (the image, then every word's
 * attention map with the word under it), the caption with unknown and cut words marked, progress,
 * and which backend runs. Timings are kept in `window.attnc` for tests and benchmarks.
 */
import type { BackendName, DrawResult, PageToWorker, RgbPicture, SiteManifest, WorkerToPage } from './protocol.js';

interface PageState {
  /** ms from navigation start until the model was ready, and until the first image was shown. */
  readyMs: number | null;
  firstImageMs: number | null;
  backend: BackendName | null;
  manifest: SiteManifest | null;
  /** Every finished draw: its worker timings and the time from "draw" to the image on screen. */
  draws: Array<{ id: number; modelMs: number; totalMs: number; shownMs: number }>;
  errors: string[];
  busy: boolean;
}

const BACKEND_LABEL: Record<BackendName, string> = { webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU (plain JavaScript)' };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A picture on a canvas; `scale`: shown that many times larger, null: sized by the style sheet. */
function canvasOf(pic: RgbPicture, scale: number | null): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = pic.width;
  c.height = pic.height;
  if (scale !== null) {
    c.style.width = `${pic.width * scale}px`;
    c.style.height = `${pic.height * scale}px`;
  }
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(pic.width, pic.height);
  for (let i = 0; i < pic.width * pic.height; i++) {
    img.data[i * 4] = pic.data[i * 3]!;
    img.data[i * 4 + 1] = pic.data[i * 3 + 1]!;
    img.data[i * 4 + 2] = pic.data[i * 3 + 2]!;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function figure(canvas: HTMLCanvasElement, label: string, cls: string): HTMLElement {
  const f = el('figure', cls);
  f.append(canvas, el('figcaption', '', label));
  return f;
}

function render(r: DrawResult, manifest: SiteManifest): void {
  const out = $('result');
  out.replaceChildren();
  // The caption as typed, each word marked: fed to the model, unknown (dropped) or cut.
  const cap = el('div', 'caption');
  cap.id = 'caption-words';
  for (const t of r.tokens) {
    const w = el('span', `word ${t.status}`, t.word);
    if (t.status === 'unknown') w.title = 'unknown word: not in the vocabulary, dropped';
    if (t.status === 'cut') w.title = `past the ${manifest.wordsNum}-word limit: cut`;
    cap.append(w, document.createTextNode(' '));
  }
  out.append(cap);
  if (r.unknown.length > 0) out.append(el('div', 'warn unknown-note', `unknown word${r.unknown.length > 1 ? 's' : ''} dropped: ${r.unknown.join(', ')}`));
  if (r.cut.length > 0) out.append(el('div', 'warn cut-note', `longer than the model's ${manifest.wordsNum}-word limit; cut off: "${r.cut.join(' ')}"`));
  const stages = el('div', 'stages');
  stages.id = 'stages';
  r.stages.forEach((s, k) => {
    // Whole-number zoom with square pixels, so a screenshot holds the model's exact pixels.
    const scale = Math.max(1, Math.ceil(128 / s.width));
    const c = canvasOf(s, scale);
    c.dataset.stage = String(k);
    c.dataset.scale = String(scale);
    stages.append(figure(c, `stage ${k + 1}: ${s.width}×${s.height}`, 'stage'));
  });
  out.append(stages);
  for (const a of r.attention) {
    const strip = el('div', 'attention');
    strip.dataset.stage = String(a.stage);
    strip.append(el('div', 'attention-title', `word attention of stage ${a.stage + 1} (${a.mapSize[0]}×${a.mapSize[1]} maps over the ${r.stages[a.stage]!.width}×${r.stages[a.stage]!.width} image)`));
    // One row like the paper's figure: the panels shrink to fit the page, at most 128 px each.
    const row = el('div', 'cells');
    row.style.gridTemplateColumns = `repeat(${a.words.length + 1}, minmax(0, ${a.panel}px))`;
    row.append(figure(canvasOf({ width: a.panel, height: a.panel, data: a.image }, null), '(image)', 'cell image'));
    a.words.forEach((panel, t) => row.append(figure(canvasOf({ width: a.panel, height: a.panel, data: panel }, null), r.words[t]!, 'cell word')));
    strip.append(row);
    out.append(strip);
  }
}

function main(): void {
  const state: PageState = { readyMs: null, firstImageMs: null, backend: null, manifest: null, draws: [], errors: [], busy: false };
  (window as unknown as { attnc: PageState }).attnc = state;
  const params = new URLSearchParams(location.search);
  const wanted = (params.get('backend') ?? 'auto') as BackendName | 'auto';
  const status = $('status');
  const progress = $<HTMLProgressElement>('progress');
  const button = $<HTMLButtonElement>('draw');
  const caption = $<HTMLInputElement>('caption');
  const seed = $<HTMLInputElement>('seed');
  const worker = new Worker(new URL('worker.js', location.href));
  const started = new Map<number, number>();
  let next = 1;
  const setBusy = (busy: boolean, what: string) => {
    state.busy = busy;
    button.disabled = busy || !state.manifest;
    progress.hidden = !busy;
    status.textContent = what;
  };
  worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
    const msg = e.data;
    if (msg.type === 'ready') {
      state.readyMs = performance.now();
      state.backend = msg.backend;
      state.manifest = msg.manifest;
      const m = msg.manifest;
      $('model').textContent = `${m.name} (${m.specFile}) from ${m.source}, ${m.generatorWeights} generator weights; ${m.imageSizes.join(' / ')} px; at most ${m.wordsNum} words`;
      $('backend').textContent = `running on ${BACKEND_LABEL[msg.backend]}${msg.fallback ? ` (${msg.fallback})` : ''}`;
      $('backend').dataset.backend = msg.backend;
      setBusy(false, `model loaded in ${Math.round(msg.loadMs)} ms`);
      if (params.has('caption')) button.click();
    } else if (msg.type === 'progress') {
      status.textContent = msg.what + '…';
    } else if (msg.type === 'result') {
      render(msg.result, state.manifest!);
      const now = performance.now();
      state.firstImageMs ??= now;
      state.draws.push({ id: msg.result.id, modelMs: msg.result.modelMs, totalMs: msg.result.totalMs, shownMs: now - started.get(msg.result.id)! });
      setBusy(false, `drawn in ${Math.round(msg.result.modelMs)} ms (model) on ${BACKEND_LABEL[state.backend!]}`);
      $('result').dataset.drawn = String(msg.result.id);
    } else {
      state.errors.push(msg.message);
      const text = `error: ${msg.message}${msg.hint ? ` (${msg.hint})` : ''}`;
      setBusy(false, text);
      status.classList.add('error');
      if (msg.id !== null) $('result').dataset.drawn = String(msg.id);
    }
  };
  $<HTMLFormElement>('form').onsubmit = (e) => {
    e.preventDefault();
    if (state.busy) return;
    status.classList.remove('error');
    const id = next++;
    started.set(id, performance.now());
    setBusy(true, 'encoding the caption…');
    const msg: PageToWorker = { type: 'draw', id, caption: caption.value, seed: Math.max(0, Math.floor(Number(seed.value) || 0)) };
    worker.postMessage(msg);
  };
  if (params.has('caption')) caption.value = params.get('caption')!;
  if (params.has('seed')) seed.value = params.get('seed')!;
  setBusy(true, 'loading the model…');
  const init: PageToWorker = { type: 'init', base: new URL('.', location.href).href, backend: wanted };
  worker.postMessage(init);
}

main();
