/**
 * `attnc export --format web`: a model as a static folder that runs in a browser, offline, from any
 * web server — `index.html`, `page.js` (the page), `worker.js` (the generated model's inference code
 * and the runtime it needs, bundled by esbuild for the browser), tfjs's WASM binaries, the text
 * encoder's and generator's weights as safetensors, the vocabulary and `manifest.json`.
 *
 * The worker bundle's entry is written here: it imports the generated folder's text encoder,
 * generator, `sample` and plan and hands them to web/worker.ts. Nothing Node-only may enter it:
 * esbuild bundles for the browser, so a Node built-in is an error (ATTNC_WEB_BUNDLE), and the
 * native fast paths stay out because only backend/index.ts loads them (native-registry.ts).
 */
import * as fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';
import { readManifest, resolveCheckpoint } from '../runtime/io/checkpoint.js';
import { encodeSafetensors } from '../runtime/io/safetensors.js';
import type { InferenceModel } from '../runtime/model/contract.js';
import { exportState } from '../runtime/nn/state.js';
import { AttncError } from '../runtime/util/errors.js';
import { shownPath } from '../runtime/util/shown-path.js';
import { siteIndexHtml } from '../web/index-html.js';
import type { SiteManifest } from '../web/protocol.js';
import { WASM_FILES } from '../web/wasm-files.js';

const require = createRequire(import.meta.url);
/** This attnc's folder (by its own name, so the same from its sources and from the built dist/). */
const root = path.dirname(require.resolve('attnc/package.json'));

/** A model ready to export: its weights in memory, the generated folder its code comes from. */
export interface WebTarget {
  model: InferenceModel;
  generatedDir: string;
  /** The checkpoint's behaviour switches (manifest `options`); {} for a spec's untrained model. */
  options: Record<string, string>;
  /** The checkpoint's step in its phase; null for untrained weights. */
  step: number | null;
}

/** A run folder or checkpoint (trained weights), or a spec (its untrained model), as `attnc sample` takes it. */
export async function loadWebTarget(target: string, warn: (line: string) => void, generated?: string): Promise<WebTarget> {
  const { isSpecTarget, loadTarget } = await import('./commands/model-target.js');
  if (isSpecTarget(target)) {
    const { loadGeneratedForSpec } = await import('./generated-model.js');
    const { dir } = await loadGeneratedForSpec(target, generated);
    const model = await loadTarget(target, warn, 0, generated);
    return { model, generatedDir: dir, options: {}, step: null };
  }
  const checkpoint = resolveCheckpoint(target);
  const manifest = readManifest(checkpoint);
  const model = await loadTarget(target, warn, 0, generated);
  const generatedDir = path.resolve(generated ?? manifest.generated ?? '');
  return { model, generatedDir, options: { ...manifest.options }, step: manifest.progress.step };
}

/** The worker bundle's entry for a generated folder. */
export function workerEntry(generatedDir: string): string {
  const g = (f: string) => JSON.stringify(path.join(generatedDir, f));
  return [
    `import { startWorker } from ${JSON.stringify(path.join(root, 'web', 'worker.ts'))};`,
    `import { createTextEncoder } from ${g('text-encoder.ts')};`,
    `import { Generator } from ${g('generator.ts')};`,
    `import { sample } from ${g('sample.ts')};`,
    `import { plan } from ${g('plan.ts')};`,
    'startWorker({ plan, createTextEncoder, createGenerator: () => new Generator(), sample });',
    '',
  ].join('\n');
}

export interface WebBundle {
  page: Uint8Array;
  worker: Uint8Array;
  /** esbuild's record of every input of the worker bundle. */
  workerInputs: Metafile['inputs'];
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Bundles the page and the worker for the browser. `entry` replaces the worker's entry source
 * (tests use it to prove that a Node built-in is refused).
 */
export async function bundleWeb(generatedDir: string, options: { entry?: string } = {}): Promise<WebBundle> {
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    outdir: 'out',
    // Generated code imports the runtime as `attnc/runtime/…`: this attnc's sources.
    plugins: [
      {
        name: 'attnc-runtime',
        setup(b) {
          b.onResolve({ filter: /^attnc\/runtime\// }, (a) => ({ path: path.join(root, 'runtime', a.path.slice('attnc/runtime/'.length).replace(/\.js$/, '.ts')) }));
        },
      },
    ],
  } satisfies import('esbuild').BuildOptions;
  const fail = (what: string, e: unknown): never => {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
    const lines = errors?.length ? errors.map((x) => (x.location ? `${x.location.file}:${x.location.line}: ${x.text}` : x.text)) : [(e as Error).message];
    throw new AttncError('ATTNC_WEB_BUNDLE', `the ${what} could not be bundled for the browser: ${lines.slice(0, 5).join('; ')}`, {
      hint: 'the inference path (generated model, blocks, encoders, tokenizer, weight reading) must import no Node-only module',
      cause: e,
    });
  };
  let page: import('esbuild').BuildResult<typeof common>;
  let worker: import('esbuild').BuildResult<typeof common>;
  try {
    page = await esbuild.build({ ...common, entryPoints: { page: path.join(root, 'web', 'page.ts') } });
  } catch (e) {
    return fail('page', e);
  }
  try {
    worker = await esbuild.build({
      ...common,
      stdin: { contents: options.entry ?? workerEntry(generatedDir), resolveDir: generatedDir, sourcefile: 'worker-entry.ts', loader: 'ts' },
      outfile: 'out/worker.js',
      outdir: undefined,
    });
  } catch (e) {
    return fail('worker', e);
  }
  // Packages may map a Node module to nothing for browsers ("(disabled):fs"); anything else is refused.
  const nodeInputs = Object.keys(worker.metafile.inputs).filter((f) => BUILTINS.has(f));
  if (nodeInputs.length > 0) fail('worker', new Error(`Node built-ins in the bundle: ${nodeInputs.join(', ')}`));
  return { page: page.outputFiles[0]!.contents, worker: worker.outputFiles[0]!.contents, workerInputs: worker.metafile.inputs };
}

export interface WebExportResult {
  files: Array<{ file: string; bytes: number }>;
  manifest: SiteManifest;
  lines: string[];
}

/** Writes the site into `out` (created; files of an earlier export there are replaced). */
export async function exportWeb(t: WebTarget, out: string): Promise<WebExportResult> {
  const bundle = await bundleWeb(t.generatedDir);
  const files: Array<{ file: string; bytes: number }> = [];
  const write = (rel: string, bytes: Uint8Array | string) => {
    const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    const file = path.join(out, rel);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
    } catch (e) {
      throw new AttncError('ATTNC_IO_WRITE', `${shownPath(file)}: cannot write (${(e as Error).message})`, { path: file, cause: e });
    }
    files.push({ file: rel, bytes: data.length });
  };
  const m = t.model;
  const te = encodeSafetensors([...exportState(m.textEncoder)], { attnc: `${m.name}:text_encoder` });
  const g = encodeSafetensors([...exportState(m.generator)], { attnc: `${m.name}:generator:${m.generatorWeights}` });
  const vocab = JSON.stringify(m.vocab.toJSON());
  write('page.js', bundle.page);
  write('worker.js', bundle.worker);
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of WASM_FILES) write(f, fs.readFileSync(path.join(wasmDir, f)));
  write('weights/text_encoder.safetensors', te);
  write('weights/netG.safetensors', g);
  write('vocab.json', vocab);
  const manifest: SiteManifest = {
    format: 'attnc-web',
    version: 1,
    name: m.name,
    specFile: planSpecFile(t.generatedDir),
    source: m.source,
    step: t.step,
    generatorWeights: m.generatorWeights,
    imageSizes: [...m.data.imageSizes],
    wordsNum: m.data.wordsNum,
    options: t.options,
    files: { textEncoder: 'weights/text_encoder.safetensors', generator: 'weights/netG.safetensors', vocab: 'vocab.json' },
    sizes: {},
  };
  write('index.html', siteIndexHtml(manifest));
  manifest.sizes = Object.fromEntries([...files.map((f) => [f.file, f.bytes] as const)]);
  write('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const sum = (pred: (f: string) => boolean) => files.filter((f) => pred(f.file)).reduce((s, f) => s + f.bytes, 0);
  const weights = sum((f) => f.startsWith('weights/'));
  const lines = [
    `✓ ${m.name} (${m.source}) → ${shownPath(path.join(out, 'index.html'))}`,
    `  page.js ${kib(sum((f) => f === 'page.js'))}, worker.js ${kib(sum((f) => f === 'worker.js'))}, wasm ${kib(sum((f) => f.endsWith('.wasm')))}, weights ${kib(weights)}; ${kib(sum(() => true))} in all`,
    `  serve the folder with any web server (\`attnc serve\` does it in one step); it needs no network beyond it`,
  ];
  return { files, manifest, lines };
}

/** The spec file the generated folder was compiled from (its manifest.json). */
function planSpecFile(generatedDir: string): string {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(generatedDir, 'manifest.json'), 'utf8')) as { spec?: { file?: string } };
    return m.spec?.file ?? '';
  } catch {
    return '';
  }
}
