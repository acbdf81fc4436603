import { Worker } from 'node:worker_threads';
import { AttncError, isErrorCode } from '../util/errors.js';
import type { ImageJob, ImageJobResult } from './image-job.js';

type Reply =
  | { id: number; ok: true; levels: Float32Array[]; info: ImageJobResult['info']; parts?: Float32Array }
  | { id: number; ok: false; error: { code: string; message: string; path?: string; hint?: string } };

interface Pending {
  resolve: (r: ImageJobResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Worker threads that decode and augment images, so the JavaScript thread stays free for the
 * training step (tfjs kernels and JPEG decoding both need it). Workers are unref'd: an idle pool
 * never keeps the process alive; `close()` ends them explicitly.
 */
export class DecodePool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private broken: AttncError | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new AttncError('ATTNC_DATA_CONFIG', `workers must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.workers.push({ worker: this.spawn(), busy: 0 });
  }

  private spawn(): Worker {
    const url = new URL(import.meta.url.endsWith('.ts') ? './decode-worker.ts' : './decode-worker.js', import.meta.url);
    let worker: Worker;
    if (url.pathname.endsWith('.ts')) {
      // Running from TypeScript sources (tsx, vitest): the worker registers tsx's loader first.
      let tsxApi: string;
      try {
        tsxApi = import.meta.resolve('tsx/esm/api');
      } catch (e) {
        throw new AttncError('ATTNC_DATA_WORKER', 'image workers need the tsx package when attnc runs from its TypeScript sources', {
          cause: e,
          hint: 'install tsx, or load images on the main thread (workers: 0)',
        });
      }
      const src = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
      worker = new Worker(src, { eval: true });
    } else {
      worker = new Worker(url);
    }
    worker.unref();
    worker.on('message', (msg: Reply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      const slot = this.workers.find((w) => w.worker === worker);
      if (slot && --slot.busy === 0) worker.unref();
      if (msg.ok) p.resolve({ levels: msg.levels, info: msg.info, ...(msg.parts ? { parts: msg.parts } : {}) });
      else p.reject(new AttncError(isErrorCode(msg.error.code) ? msg.error.code : 'ATTNC_DATA_WORKER', msg.error.message, { ...(msg.error.path ? { path: msg.error.path } : {}), ...(msg.error.hint ? { hint: msg.error.hint } : {}) }));
    });
    worker.on('error', (e) => this.failAll(new AttncError('ATTNC_DATA_WORKER', `image decoding worker crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new AttncError('ATTNC_DATA_WORKER', `image decoding worker exited (code ${code})`));
    });
    return worker;
  }

  private failAll(e: AttncError): void {
    this.broken ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  run(job: ImageJob): Promise<ImageJobResult> {
    if (this.closed) return Promise.reject(new AttncError('ATTNC_DATA_WORKER', 'the image decoding pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (slot.busy++ === 0) slot.worker.ref(); // a pending job keeps the process alive; an idle pool does not
    const id = this.nextId++;
    return new Promise<ImageJobResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new AttncError('ATTNC_DATA_WORKER', 'the image decoding pool was closed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
