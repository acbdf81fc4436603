/**
 * Run up to `depth` asynchronous jobs ahead of the consumer and hand their results back in order.
 * While the consumer works on item k, items k+1..k+depth are being loaded. `depth` 0 loads each
 * item only when it is asked for (no overlap): the baseline the benchmark compares against.
 *
 * A failed job rethrows when the consumer reaches it (earlier items are still delivered). When the
 * consumer stops early (break / throw), results that are still in flight are passed to `dispose`
 * once they arrive, so prefetched tensors do not leak.
 */
export async function* prefetch<T>(
  jobs: Iterable<() => Promise<T>>,
  depth: number,
  dispose?: (value: T) => void,
): AsyncGenerator<T, void, undefined> {
  const it = jobs[Symbol.iterator]();
  const queue: Promise<T>[] = [];
  let exhausted = false;
  const fill = (n: number) => {
    while (!exhausted && queue.length < n) {
      const r = it.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      const p = r.value();
      p.catch(() => undefined); // surfaced when consumed; never an unhandled rejection
      queue.push(p);
    }
  };
  let finished = false;
  try {
    for (;;) {
      fill(Math.max(1, depth));
      const head = queue.shift();
      if (!head) break;
      const value = await head;
      // Start the next jobs before handing the value over, so they run while the consumer works.
      fill(depth);
      yield value;
    }
    finished = true;
  } finally {
    if (!finished && dispose) for (const p of queue) p.then(dispose, () => undefined);
  }
}
