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
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
