import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodePool } from '../../../runtime/data/decode-pool.js';
import { runImageJob } from '../../../runtime/data/image-job.js';
import type { ImageJob } from '../../../runtime/data/image-job.js';
import { encodeJpeg } from '../../../runtime/data/images.js';
import { AttncError } from '../../../runtime/util/errors.js';
import { gradientImage, tmpDir, writeFile } from './make-fixtures.js';

describe('DecodePool (image worker threads)', () => {
  let dir: string;
  let pool: DecodePool;
  beforeAll(async () => {
    dir = await tmpDir('pool');
    await writeFile(path.join(dir, 'a.jpg'), encodeJpeg(gradientImage(50, 40), 90));
    await writeFile(path.join(dir, 'bad.jpg'), encodeJpeg(gradientImage(50, 40), 90).subarray(0, 300));
    pool = new DecodePool(1);
  });
  afterAll(async () => {
    await pool.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const job = (file: string): ImageJob => ({ imagePath: path.join(dir, file), bbox: [5, 5, 30, 20], imageSizes: [16, 32], augment: true, seed: 42 });

  it('gives exactly what the main thread computes', async () => {
    const [w, m] = await Promise.all([pool.run(job('a.jpg')), runImageJob(job('a.jpg'))]);
    expect(w.info).toEqual(m.info);
    expect(w.levels.map((l) => Array.from(l))).toEqual(m.levels.map((l) => Array.from(l)));
  });

  it('passes AttncErrors back with their path', async () => {
    const err = await pool.run(job('bad.jpg')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttncError);
    expect((err as AttncError).path).toBe(path.join(dir, 'bad.jpg'));
    expect((err as AttncError).message).toMatch(/JPEG is truncated/);
    const missing = await pool.run(job('none.jpg')).catch((e: unknown) => e);
    expect((missing as AttncError).message).toBe(`${path.join(dir, 'none.jpg')}: image not found`);
  });

  it('refuses work once closed', async () => {
    const p = new DecodePool(1);
    await p.close();
    await expect(p.run(job('a.jpg'))).rejects.toThrow(/closed/);
  });
});
