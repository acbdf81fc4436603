/**
 * The child process of placement.ts's `checkPlacement`: load the backend named in argv[2], run each
 * fast path once (TensorFlow logs where it places every op on stderr), and print the probes'
 * outcomes and whether TensorFlow has a GPU device as one JSON line on stdout.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendChoice } from './index.js';
import { runProbes } from './placement.js';
import { isUsingGpuDevice } from './tfjs-internals.js';

const backend = parseBackendChoice(process.argv[2]);
await initBackend(backend, { quiet: true });
tf.env().set('PROD', true);
const outcomes = runProbes();
process.stdout.write(JSON.stringify({ usingGpuDevice: isUsingGpuDevice(), outcomes }) + '\n');
