/**
 * The messages between the page (web/page.ts, main thread) and the worker that runs the model
 * (web/worker.ts). Plain data only: images travel as RGB bytes, computed off the main thread.
 */

/** An 8-bit RGB picture (size × size × 3 or width × height × 3). */
export interface RgbPicture {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The site's manifest.json, written by `attnc export --format web`. */
export interface SiteManifest {
  format: 'attnc-web';
  version: 1;
  /** Spec name and file, and where the weights came from. */
  name: string;
  specFile: string;
  source: string;
  /** 'gan step 2000' etc.; absent for untrained weights. */
  step: number | null;
  generatorWeights: 'ema' | 'live' | 'init';
  /** Generated image sizes, smallest first. */
  imageSizes: number[];
  wordsNum: number;
  /** The checkpoint's behaviour switches (runtime/model/checkpoint-options.ts). */
  options: Record<string, string>;
  /** Files of the site, relative to it. */
  files: { textEncoder: string; generator: string; vocab: string };
  /** Bytes of each file of the site. */
  sizes: Record<string, number>;
}

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export type PageToWorker =
  | { type: 'init'; base: string; backend: BackendName | 'auto' }
  | { type: 'draw'; id: number; caption: string; seed: number };

export interface DrawResult {
  id: number;
  caption: string;
  seed: number;
  /** The words the model saw, in order. */
  words: string[];
  unknown: string[];
  cut: string[];
  /** Every typed word and its fate: fed to the model, unknown (dropped), or past the word limit (cut). */
  tokens: Array<{ word: string; status: 'used' | 'unknown' | 'cut' }>;
  /** One image per stage, smallest first. */
  stages: RgbPicture[];
  /** Per attention stage: which stage's image it belongs to, the panel side, and the panels. */
  attention: Array<{ stage: number; mapSize: [number, number]; panel: number; image: Uint8Array; words: Uint8Array[] }>;
  /** Milliseconds of the model's forward pass (with read-back) and of the whole request in the worker. */
  modelMs: number;
  totalMs: number;
}

export type WorkerToPage =
  | { type: 'ready'; backend: BackendName; manifest: SiteManifest; loadMs: number; fallback?: string }
  | { type: 'progress'; id: number; what: string }
  | { type: 'result'; result: DrawResult }
  | { type: 'error'; id: number | null; message: string; hint?: string };
