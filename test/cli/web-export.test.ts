/**
 * `attnc export --format web` and `attnc serve`'s server: what the site holds, that the browser
 * bundle holds no Node built-in and no native fast path (and that one importing a Node built-in is
 * refused), its size, the server's MIME types and its refusal to leave the folder or take a used port.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWeb, workerEntry, type WebBundle } from '../../cli/web-export.js';
import { fileFor, serveFolder } from '../../cli/serve.js';
import { isAttncError } from '../../runtime/util/errors.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/attnc.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
const tiny = path.join(root, 'generated', 'tiny');
let tmp: string;
let bundle: WebBundle;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attnc-web-export-'));
  bundle = await bundleWeb(tiny);
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const get = (url: string) =>
  new Promise<{ status: number; type: string | undefined; body: Buffer }>((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });

describe('the browser bundle', () => {
  it('holds the generated inference code and the runtime it needs, no Node built-in and no native fast path', () => {
    const inputs = Object.keys(bundle.workerInputs);
    const own = inputs.filter((f) => !f.startsWith('node_modules/') && !f.startsWith('(disabled)'));
    expect(own).toContain('generated/tiny/generator.ts');
    expect(own).toContain('generated/tiny/sample.ts');
    expect(own).toContain('runtime/io/safetensors.ts');
    expect(own).toContain('runtime/backend/native-registry.ts');
    // Training code, discriminators and the image encoder are not part of drawing.
    for (const f of ['generated/tiny/train-gan.ts', 'generated/tiny/discriminators.ts', 'generated/tiny/image-encoder.ts', 'generated/tiny/index.ts']) expect(own).not.toContain(f);
    // The native-only fast paths: only backend/index.ts (Node) loads them.
    for (const f of ['native-ops.ts', 'native-grads.ts', 'native-adam.ts', 'index.ts', 'gpu.ts', 'placement.ts', 'quiet-stderr.ts']) expect(own).not.toContain(`runtime/backend/${f}`);
    // Packages may map a Node module to an empty one for browsers; attnc's own files import none.
    const disabled = inputs.filter((f) => f.startsWith('(disabled)'));
    for (const f of own) {
      for (const imp of bundle.workerInputs[f]!.imports) expect(imp.path.startsWith('(disabled)') || imp.path.startsWith('node:'), `${f} imports ${imp.path}`).toBe(false);
    }
    expect(disabled.every((d) => !own.some((f) => bundle.workerInputs[f]!.imports.some((i) => i.path === d)))).toBe(true);
  });

  it('refuses an entry that imports a Node built-in (ATTNC_WEB_BUNDLE)', async () => {
    const err = await bundleWeb(tiny, { entry: `import * as fs from 'node:fs';\n${workerEntry(tiny)}console.log(fs.readFileSync);\n` }).catch((e: unknown) => e);
    expect(isAttncError(err) && err.code).toBe('ATTNC_WEB_BUNDLE');
    expect((err as Error).message).toMatch(/node:fs/);
  }, 60_000);

  it('is at most 2 MB without the weights (page, worker and WASM)', () => {
    const js = bundle.page.length + bundle.worker.length;
    expect(js).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('attnc export --format web', () => {
  it('writes a static site: index.html, the bundles, WASM, weights, vocabulary and the manifest', () => {
    const out = path.join(tmp, 'site');
    const r = run('export', 'spec/tiny.yaml', '--format', 'web', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ tiny \(spec\/tiny\.yaml \(untrained: initial weights, seed 0\)\) → /);
    const files = fs.readdirSync(out, { recursive: true }).map(String).sort();
    expect(files).toEqual(['index.html', 'manifest.json', 'page.js', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm', 'vocab.json', 'weights', 'weights/netG.safetensors', 'weights/text_encoder.safetensors', 'worker.js']);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'attnc-web', version: 1, name: 'tiny', specFile: 'spec/tiny.yaml', step: null, generatorWeights: 'init', imageSizes: [32, 64], wordsNum: 12, options: {} });
    const withoutWeights = Object.entries(manifest.sizes as Record<string, number>).filter(([f]) => !f.startsWith('weights/')).reduce((s, [, n]) => s + n, 0);
    expect(withoutWeights).toBeLessThan(2 * 1024 * 1024);
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    // Nothing from outside the folder.
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<script src="page.js"></script>');
    expect(fs.readFileSync(path.join(out, 'worker.js'), 'utf8')).not.toMatch(/require\(["']node:/);
  });

  it('rejects another format with the formats it takes', () => {
    const r = run('export', 'spec/tiny.yaml', '--format', 'onnx', '--out', path.join(tmp, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--format must be pth, safetensors or web, not "onnx"');
  });
});

describe("attnc serve's server", () => {
  it('serves the folder with the right MIME types, 404 outside it or for what is absent', async () => {
    const dir = path.join(tmp, 'served');
    fs.mkdirSync(path.join(dir, 'weights'), { recursive: true });
    for (const f of ['index.html', 'page.js', 'manifest.json', 'a.wasm', 'weights/netG.safetensors']) fs.writeFileSync(path.join(dir, f), f);
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'no');
    const s = await serveFolder(dir, { port: 0 });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const types = Object.fromEntries(
        await Promise.all(['', 'page.js', 'manifest.json', 'a.wasm', 'weights/netG.safetensors'].map(async (f) => [f, (await get(s.url + f)).type] as const)),
      );
      expect(types).toEqual({
        '': 'text/html; charset=utf-8',
        'page.js': 'text/javascript; charset=utf-8',
        'manifest.json': 'application/json; charset=utf-8',
        'a.wasm': 'application/wasm',
        'weights/netG.safetensors': 'application/octet-stream',
      });
      expect((await get(s.url + 'page.js')).body.toString()).toBe('page.js');
      expect((await get(s.url + 'nothing.js')).status).toBe(404);
      expect((await get(s.url + '..%2fsecret.txt')).status).toBe(404);
      // secret.txt lies beside the folder: a path that climbs out never reaches it.
      expect(fileFor(dir, '/../secret.txt')).toBeNull();
      expect(fileFor(dir, '/weights/../page.js')).toBe(path.join(dir, 'page.js'));
      expect(fileFor(dir, '/')).toBe(path.join(dir, 'index.html'));
    } finally {
      await s.close();
    }
  });

  it('a port in use is ATTNC_SERVE_PORT with a hint', async () => {
    const a = await serveFolder(tmp, { port: 0 });
    try {
      const err = await serveFolder(tmp, { port: a.port }).catch((e: unknown) => e);
      expect(isAttncError(err) && err.code).toBe('ATTNC_SERVE_PORT');
      expect((err as Error).message).toBe(`port ${a.port} on 127.0.0.1 is in use`);
    } finally {
      await a.close();
    }
  });
});

describe('attnc serve', () => {
  it('exports to a temporary folder, serves it and prints the URL; Ctrl-C stops it and removes the folder', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'serve', 'spec/tiny.yaml', '--port', '0'], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL after 120 s: ${out}`)), 120_000);
      child.stdout.on('data', () => {
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const page = await get(url);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<title>attnc: tiny</title>');
    expect((await get(url + 'manifest.json')).type).toBe('application/json; charset=utf-8');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    const folder = /serving (\S+)/.exec(out)![1]!;
    expect(path.basename(folder)).toMatch(/^attnc-serve-/);
    expect(fs.existsSync(folder)).toBe(false);
  }, 180_000);
});
