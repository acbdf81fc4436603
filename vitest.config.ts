import { defineConfig } from 'vitest/config';

// libtensorflow reads its log level at process start: set it before the workers fork.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The native TensorFlow addon is safest in child processes, one per worker.
    pool: 'forks',
    maxWorkers: 2,
    // Reuse each worker across files: loading libtensorflow per file cost ~4× the suite's run time
    // (measured 142 s isolated vs 30 s shared on 2 cores). Tests measure tensor counts as deltas and
    // restore any backend they switch, so they don't depend on a fresh process.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
