/**
 * The model's side of the web page: runs in a Web Worker, so the page never freezes while the
 * model draws. It picks the backend (WebGL where it works, else WASM, else tfjs's CPU), fetches the
 * site's manifest, vocabulary and weights, builds the text encoder and generator from the generated
 * code the bundle was made from (`attnc export --format web` writes the entry that calls
 * `startWorker`), and answers each caption with every stage's image and, per attention stage, the
 * panels of the paper's figure — the same encoding, noise and pixels as `attnc sample`.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tokenize } from '../runtime/data/tokenizer.js';
import { Vocabulary } from '../runtime/data/vocab.js';
import { encodeCaption, tokenTensor } from '../runtime/eval/generate.js';
import { attentionPanels, toRgbImages } from '../runtime/figures/attention-panels.js';
import { safetensorsState } from '../runtime/io/safetensors.js';
import type { SampleOutputs, TextEncoder } from '../runtime/model/contract.js';
import { applyCheckpointOptions } from '../runtime/model/checkpoint-options.js';
import { drawNoise, type Noise } from '../runtime/model/noise.js';
import type { TrainingPlan } from '../runtime/model/plan.js';
import { Module } from '../runtime/nn/module.js';
import { importState } from '../runtime/nn/state.js';
import { isAttncError } from '../runtime/util/errors.js';
import type { BackendName, DrawResult, PageToWorker, SiteManifest, WorkerToPage } from './protocol.js';

/** What the worker needs of a generated model: its plan, the two networks' factories and `sample`. */
export interface WebModelCode {
  plan: TrainingPlan;
  createTextEncoder(vocabSize: number): TextEncoder;
  createGenerator(): Module;
  sample(model: { textEncoder: TextEncoder; generator: Module }, tokens: tf.Tensor2D, lengths: readonly number[], noise: Noise): SampleOutputs;
}

/** Side of each attention panel, as `attnc sample`'s default. */
const PANEL = 128;

interface Loaded {
  vocab: Vocabulary;
  manifest: SiteManifest;
  networks: { textEncoder: TextEncoder; generator: Module };
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchJson(url: string): Promise<unknown> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

/** WebGL, then WASM, then tfjs's CPU backend; `wanted` forces one. Returns the backend and why it fell back. */
async function chooseBackend(base: string, wanted: BackendName | 'auto'): Promise<{ name: BackendName; fallback?: string }> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': new URL('tfjs-backend-wasm.wasm', base).href,
    'tfjs-backend-wasm-simd.wasm': new URL('tfjs-backend-wasm-simd.wasm', base).href,
    // Threads need a cross-origin-isolated page; without it tfjs never asks for this one.
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('tfjs-backend-wasm-simd.wasm', base).href,
  });
  const order: BackendName[] = wanted === 'auto' ? ['webgl', 'wasm', 'cpu'] : [wanted];
  const failed: string[] = [];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // A context that cannot actually compute (no float textures) shows here, not at setBackend.
        const probe = tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2])));
        const ok = (await probe.data())[1] === 2;
        probe.dispose();
        if (ok) return failed.length > 0 ? { name, fallback: failed.join('; ') } : { name };
        failed.push(`${name}: wrong results from a probe`);
      } else {
        failed.push(`${name}: not available`);
      }
    } catch (e) {
      failed.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend works here (${failed.join('; ')})`);
}

async function load(code: WebModelCode, base: string): Promise<Loaded> {
  const manifest = (await fetchJson(new URL('manifest.json', base).href)) as SiteManifest;
  if (manifest.format !== 'attnc-web' || manifest.version !== 1) throw new Error('manifest.json: not an attnc web manifest (version 1)');
  const vocab = Vocabulary.fromJSON(await fetchJson(new URL(manifest.files.vocab, base).href), manifest.files.vocab);
  const [te, g] = await Promise.all([fetchBytes(new URL(manifest.files.textEncoder, base).href), fetchBytes(new URL(manifest.files.generator, base).href)]);
  // Built with zero tensors, then every weight comes from the files (strict: names and shapes).
  const textEncoder = Module.zeroInit(() => code.createTextEncoder(vocab.size));
  const generator = Module.zeroInit(() => code.createGenerator());
  importState(textEncoder, safetensorsState(te, manifest.files.textEncoder), { source: manifest.files.textEncoder });
  importState(generator, safetensorsState(g, manifest.files.generator), { source: manifest.files.generator });
  applyCheckpointOptions(generator, manifest.options, 'manifest.json');
  return { vocab, manifest, networks: { textEncoder, generator } };
}

/** Each typed word's fate, as `attnc sample` reports it: fed to the model, unknown (dropped), or past the word limit (cut). */
export function wordStatus(caption: string, vocab: Vocabulary, wordsNum: number): Array<{ word: string; status: 'used' | 'unknown' | 'cut' }> {
  let known = 0;
  return tokenize(caption).map((word) => {
    if (vocab.encode([word]).ids.length === 0) return { word, status: 'unknown' as const };
    return { word, status: known++ < wordsNum ? ('used' as const) : ('cut' as const) };
  });
}

async function draw(code: WebModelCode, m: Loaded, id: number, caption: string, seed: number, post: (msg: WorkerToPage) => void): Promise<DrawResult> {
  const t0 = performance.now();
  const enc = encodeCaption(caption, m.vocab, m.manifest.wordsNum);
  post({ type: 'progress', id, what: `drawing ${enc.words.length} word${enc.words.length > 1 ? 's' : ''} on ${tf.getBackend()}` });
  const { tokens, lengths } = tokenTensor([enc.ids]);
  // Caption 0, image 0 of `attnc sample --seed <seed>`: global sample index 0.
  const noise = drawNoise({ purpose: 'sample', seed, indices: [0] }, code.plan.noise);
  const t1 = performance.now();
  const out = code.sample(m.networks, tokens, lengths, noise);
  tf.dispose([tokens, noise.z, noise.eps]);
  const read = async (t: tf.Tensor) => ({ values: (await t.data()) as Float32Array, shape: [...t.shape] });
  const images = await Promise.all(out.images.map(read));
  const attn = await Promise.all(out.attn.map(read));
  tf.dispose([...out.images, ...out.attn]);
  const modelMs = performance.now() - t1;
  post({ type: 'progress', id, what: 'attention figures' });
  const stages = images.map((im) => toRgbImages(im.values, im.shape)[0]!);
  const attention = attn.map((a, j) => {
    const [, h, w, T] = a.shape as [number, number, number, number];
    const stage = stages.length - attn.length + j;
    const p = attentionPanels({ image: stages[stage]!, maps: a.values.subarray(0, h * w * T), h, w, channels: T, words: enc.words }, { panel: PANEL });
    return { stage, mapSize: [h, w] as [number, number], panel: p.panel, image: p.image, words: p.words };
  });
  return { id, caption, seed, words: enc.words, unknown: enc.unknown, cut: enc.cut, tokens: wordStatus(caption, m.vocab, m.manifest.wordsNum), stages, attention, modelMs, totalMs: performance.now() - t0 };
}

/** Starts answering the page's messages (the bundle's entry calls this once). */
export function startWorker(code: WebModelCode): void {
  const scope = self as unknown as { postMessage(msg: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<PageToWorker>) => void) | null };
  const post = (msg: WorkerToPage, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
  let loaded: Promise<Loaded> | undefined;
  // One request at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (e) => {
    const msg = e.data;
    if (msg.type === 'init') {
      const t0 = performance.now();
      loaded = (async () => {
        const backend = await chooseBackend(msg.base, msg.backend);
        const m = await load(code, msg.base);
        post({ type: 'ready', backend: backend.name, manifest: m.manifest, loadMs: performance.now() - t0, ...(backend.fallback ? { fallback: backend.fallback } : {}) });
        return m;
      })();
      loaded.catch((err: Error) => post({ type: 'error', id: null, message: err.message }));
      return;
    }
    queue = queue.then(async () => {
      try {
        if (!loaded) throw new Error('the model is not loaded (no init message)');
        const result = await draw(code, await loaded, msg.id, msg.caption, msg.seed, post);
        post({ type: 'result', result }, [...result.stages.map((s) => s.data.buffer), ...result.attention.flatMap((a) => [a.image.buffer, ...a.words.map((w) => w.buffer)])] as Transferable[]);
      } catch (err) {
        const hint = isAttncError(err) ? err.hint : undefined;
        post({ type: 'error', id: msg.id, message: (err as Error).message, ...(hint ? { hint } : {}) });
      }
    });
  };
}
