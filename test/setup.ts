import { initBackend } from '../runtime/backend/index.js';

// Every test file runs on the backend the suite was asked for (native TensorFlow by default).
await initBackend(undefined, { quiet: !!process.env.ATTNC_QUIET_BACKEND });
