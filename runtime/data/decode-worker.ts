import { parentPort } from 'node:worker_threads';
import { isAttncError } from '../util/errors.js';
import { imageName, runImageJob } from './image-job.js';
import type { ImageJob } from './image-job.js';

// Worker side of DecodePool: one job at a time, pyramid buffers transferred back (no copy).
parentPort!.on('message', async (msg: { id: number; job: ImageJob }) => {
  try {
    const r = await runImageJob(msg.job);
    const buffers = [...r.levels, ...(r.parts ? [r.parts] : [])].map((l) => l.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: msg.id, ok: true, levels: r.levels, info: r.info, ...(r.parts ? { parts: r.parts } : {}) }, buffers);
  } catch (e) {
    const err = isAttncError(e)
      ? { code: e.code, message: e.message, path: e.path, hint: e.hint }
      : { code: 'ATTNC_DATA_WORKER', message: `image worker failed on ${imageName(msg.job)}: ${(e as Error)?.message ?? String(e)}`, path: imageName(msg.job) };
    parentPort!.postMessage({ id: msg.id, ok: false, error: err });
  }
});
