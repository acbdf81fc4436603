import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from '../runtime/eval/attribute-classifier.js';
import { initBackend } from '../runtime/backend/index.js';

// Every test file runs on the backend the suite was asked for (native TensorFlow by default).
await initBackend(undefined, { quiet: !!process.env.ATTNC_QUIET_BACKEND });

// The attribute classifier of the tiny spec's synthetic birds is committed (trained by its own code,
// 10 CPU-minutes): seed the cache with it so no test file trains it (attribute-classifier.test.ts).
const fixtures = path.join(import.meta.dirname, 'fixtures', 'eval');
for (const d of fs.readdirSync(fixtures).filter((f) => f.startsWith('attribute-classifier-'))) {
  const target = path.join(cacheRoot(), 'eval', d);
  if (fs.existsSync(path.join(target, 'weights.bin'))) continue;
  // Test workers start together: copy beside the target, then rename (the first one wins).
  const tmp = `${target}.tmp-${process.pid}`;
  fs.cpSync(path.join(fixtures, d), tmp, { recursive: true });
  try {
    fs.renameSync(tmp, target);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
