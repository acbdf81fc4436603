import { initBackend } from '../runtime/backend/index.js';

// Every test file runs on the backend the suite was asked for (native TensorFlow by default).
await initBackend(undefined, { quiet: !!process.env.ATTNC_QUIET_BACKEND });

// The tiny spec's attribute classifier ships with attnc (runtime/eval/weights/), so no test trains
// it for 10 CPU-minutes except the small recipe of attribute-classifier.test.ts.
