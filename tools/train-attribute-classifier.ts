/**
 * Trains the attribute classifier that ships with attnc (runtime/eval/weights/) for the built-in
 * dataset's standard configuration, so that `attnc eval` on synthetic birds loads it in a fraction
 * of a second instead of training it for ~10 CPU-minutes on first use (issue 20, item 7).
 *
 *     npx tsx tools/train-attribute-classifier.ts            # the tiny spec's synthetic birds (= the schema defaults
 *                                                            # with resize_ratio 1.125): 6,000 images, seed 1
 *     npx tsx tools/train-attribute-classifier.ts --check    # only report the shipped file's accuracy on real images
 *     npx tsx tools/train-attribute-classifier.ts --from <cache folder>
 *         # ship a classifier that AttributeClassifier.load already trained with this recipe and cached
 *         # (~/.cache/attnc/eval/attribute-classifier-<key>/, float32) instead of training again
 *
 * The recipe is AttributeClassifier's default (runtime/eval/attribute-classifier.ts: 16 epochs, batch
 * 32, Adam 1e-3 then 2e-4 for the last quarter, training seed 1, dataset seed 1), so the file's key
 * is the one `AttributeClassifier.load` computes for those datasets. Weights are stored as float16
 * safetensors with the recipe, the training time and this command in the metadata. TensorFlow's
 * multi-threaded CPU kernels may sum in another order on another machine, so a retrain gives a
 * classifier of the same accuracy, not necessarily the same bytes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import { disposeBatch, openDataset, type SynthBirdsDatasetConfig } from '../runtime/data/dataset.js';
import { AttributeClassifier, HEADS, attributesByKey } from '../runtime/eval/attribute-classifier.js';
import { SHIPPED_DIR } from '../runtime/eval/learned-model.js';
import { evalDatasetConfig } from '../runtime/model/data.js';
import * as tiny from '../generated/tiny/index.js';

await initBackend('tensorflow');
const dataset = evalDatasetConfig(tiny.plan.data, 'test', 64) as SynthBirdsDatasetConfig;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function accuracy(c: AttributeClassifier, split: string): Promise<Record<string, number>> {
  const cfg = evalDatasetConfig(tiny.plan.data, split, 64) as SynthBirdsDatasetConfig;
  const truth = attributesByKey(cfg.synth);
  const ds = await openDataset(cfg);
  const correct = Object.fromEntries(HEADS.map((h) => [h.name, 0]));
  let n = 0;
  for await (const b of ds.batches({ batchSize: 50, shuffle: false, dropLast: false })) {
    c.labels(b.images[0]!).forEach((l, i) => {
      const a = truth.get(b.keys[i]!)! as unknown as Record<string, string>;
      for (const h of HEADS) if (l[h.name] === a[h.name]) correct[h.name]!++;
    });
    n += b.keys.length;
    disposeBatch(b);
  }
  await ds.close();
  return Object.fromEntries(HEADS.map((h) => [h.name, (100 * correct[h.name]!) / n]));
}

async function report(c: AttributeClassifier): Promise<void> {
  for (const split of ['test', 'heldout']) {
    const a = await accuracy(c, split);
    const pooled = Object.values(a).reduce((s, x) => s + x, 0) / HEADS.length;
    log(`  ${split}: pooled ${pooled.toFixed(2)} % (${HEADS.map((h) => `${h.name} ${a[h.name]!.toFixed(1)}`).join(', ')})`);
  }
}

const { file } = AttributeClassifier.shipped({ dataset });
if (process.argv.includes('--check')) {
  const c = await AttributeClassifier.load({ dataset });
  log(`${c.source}: ${c.cachedAt} (${fs.statSync(file).size} bytes)`);
  await report(c);
  c.dispose();
} else if (process.argv.includes('--from')) {
  const from = process.argv[process.argv.indexOf('--from') + 1]!;
  const key = path.basename(file, '.safetensors');
  if (path.basename(path.resolve(from)) !== key) throw new Error(`${from} is not the cache folder of this recipe (${key})`);
  const c = await AttributeClassifier.load({ dataset, cacheDir: path.dirname(path.resolve(from)) });
  if (c.source !== 'cache') throw new Error(`${from}: not loaded from the cache (${c.source})`);
  const provenance =
    `trained by AttributeClassifier.load with its default recipe for the tiny spec's synthetic birds (dataset seed ${c.meta.trainedOn.seed}, ` +
    `training seed 1, ${c.meta.trainedOn.epochs} epochs on ${c.meta.trainedOn.trainImages} train images, ${c.meta.seconds.toFixed(0)} s), ` +
    `converted to float16 by \`npx tsx tools/train-attribute-classifier.ts --from ${path.basename(from)}\`; retrain with \`npx tsx tools/train-attribute-classifier.ts\``;
  fs.mkdirSync(SHIPPED_DIR, { recursive: true });
  fs.writeFileSync(file, c.toShippedFile(provenance));
  log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes): ${provenance}`);
  log('float32 (the cache):');
  await report(c);
  c.dispose();
  const shipped = await AttributeClassifier.load({ dataset });
  log('float16 (what ships):');
  await report(shipped);
  shipped.dispose();
} else {
  const t0 = performance.now();
  const c = await AttributeClassifier.train({ dataset, log });
  const seconds = (performance.now() - t0) / 1000;
  const provenance =
    `npx tsx tools/train-attribute-classifier.ts (AttributeClassifier default recipe for the tiny spec's synthetic birds; ` +
    `dataset seed ${c.meta.trainedOn.seed}, training seed 1); ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s on ` +
    `${os.cpus()[0]?.model ?? 'an unknown CPU'} × ${os.availableParallelism()}, load ${os.loadavg()[0]!.toFixed(1)}`;
  fs.mkdirSync(SHIPPED_DIR, { recursive: true });
  fs.writeFileSync(file, c.toShippedFile(provenance));
  log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes): ${provenance}`);
  c.dispose();
  // What ships is the float16 file: measure that one.
  const shipped = await AttributeClassifier.load({ dataset });
  await report(shipped);
  shipped.dispose();
}
tf.disposeVariables();
