import { describe, expect, it } from 'vitest';
import { prefetch } from '../../../runtime/data/prefetch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('prefetch', () => {
  it('delivers in order and keeps `depth` jobs running ahead', async () => {
    let started = 0;
    let running = 0;
    let maxRunning = 0;
    const jobs = Array.from({ length: 8 }, (_, i) => async () => {
      started++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(5 * ((i * 3) % 4)); // finish out of order
      running--;
      return i;
    });
    const got: number[] = [];
    for await (const v of prefetch(jobs, 3)) {
      got.push(v);
      // while the consumer holds item v, items up to v+3 have been started
      expect(started).toBe(Math.min(8, v + 4));
      await sleep(2);
    }
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maxRunning).toBeLessThanOrEqual(3);
  });

  it('depth 0 starts each job only when asked', async () => {
    let started = 0;
    const jobs = Array.from({ length: 3 }, (_, i) => async () => (started++, i));
    for await (const v of prefetch(jobs, 0)) expect(started).toBe(v + 1);
  });

  it('rethrows a failure when the consumer reaches it, after earlier items', async () => {
    const jobs = [async () => 0, async () => { throw new Error('job 1 failed'); }, async () => 2];
    const got: number[] = [];
    await expect((async () => { for await (const v of prefetch(jobs, 2)) got.push(v); })()).rejects.toThrow('job 1 failed');
    expect(got).toEqual([0]);
  });

  it('disposes results still in flight when the consumer stops early', async () => {
    const disposed: number[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) => async () => { await sleep(1); return i; });
    for await (const v of prefetch(jobs, 2, (x) => disposed.push(x))) if (v === 1) break;
    await sleep(20);
    expect(disposed.sort()).toEqual([2, 3]);
  });
});
