/**
 * Compares the birds model after `attnc import` with PyTorch (tools/birds_parity.py has the steps).
 *
 *     npx tsx tools/birds-parity.ts /tmp/attnc-bench-pth /tmp/attnc-birds-import
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { decodeSafetensors } from '../runtime/io/safetensors.js';
import { importState } from '../runtime/nn/state.js';
import { readCheckpointTensors, readManifest, resolveCheckpoint } from '../runtime/io/checkpoint.js';
import { applyCheckpointOptions } from '../runtime/model/checkpoint-options.js';
import { createTextEncoder, encodeCaptions, Generator } from '../generated/attngan2/index.js';
import { compare, det, nchw } from '../test/runtime/io/parity-helpers.js';

await initBackend(undefined, { quiet: true });
const [refDir = '/tmp/attnc-bench-pth', run = '/tmp/attnc-birds-import'] = process.argv.slice(2);
const ref = decodeSafetensors(fs.readFileSync(path.join(refDir, 'birds_reference.safetensors')), 'birds_reference').tensors;
const dir = resolveCheckpoint(run);
const manifest = readManifest(dir);
const G = new Generator();
importState(G, readCheckpointTensors(dir, manifest, 'netG.safetensors'));
console.log(applyCheckpointOptions(G, manifest.options).join('\n'));
const te = createTextEncoder(5450);
importState(te, readCheckpointTensors(dir, manifest, 'text_encoder.safetensors'));
const tokens = tf.tensor2d([[17, 402, 5, 3301, 88, 1203, 9], [44, 5449, 2, 610, 77, 0, 0], [1000, 23, 4, 0, 0, 0, 0]], undefined, 'int32');
const t0 = performance.now();
tf.tidy(() => {
  const caps = encodeCaptions(te, tokens, [7, 5, 3]);
  const g = G.apply({ z: det([3, 100], 11) as tf.Tensor2D, sentence: caps.sentence, words: caps.words, mask: caps.mask, training: false, noise: det([3, 100], 12) as tf.Tensor2D });
  const rows = [
    compare('words', tf.transpose(caps.words, [0, 2, 1]), ref.get('words')),
    compare('sentence', caps.sentence, ref.get('sentence')),
    ...g.images.map((x, i) => compare(`img${i + 1}`, nchw(x), ref.get(`img${i + 1}`))),
    ...g.attn.map((x, i) => compare(`att${i + 1}`, nchw(x), ref.get(`att${i + 1}`))),
    compare('mu', g.mu, ref.get('mu')),
    compare('logvar', g.logvar, ref.get('logvar')),
  ];
  console.log('| output | shape | max abs diff | scale (max abs) | diff / scale |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${ref.get(r.name)!.shape.join('×')} | ${r.maxAbs.toExponential(2)} | ${r.scale.toPrecision(3)} | ${(r.maxAbs / r.scale).toExponential(2)} |`);
});
console.log(`forward ${(performance.now() - t0).toFixed(0)} ms`);
G.dispose();
te.dispose();
tokens.dispose();
