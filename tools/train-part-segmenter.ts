/**
 * Trains the part segmenter that ships with attnc (runtime/eval/weights/) for the built-in
 * dataset's standard configuration, so that `attnc eval --metrics attention` on synthetic birds
 * loads it at once instead of training it (about 8 CPU-minutes) on first use.
 *
 *     npx tsx tools/train-part-segmenter.ts           # the tiny spec's synthetic birds (resize_ratio 1.125,
 *                                                     # dataset seed 1): 6,000 rendered pictures, 4 epochs
 *     npx tsx tools/train-part-segmenter.ts --check   # only report the shipped file's accuracy on real pictures
 *
 * The recipe is PartSegmenter's default (runtime/eval/part-segmenter.ts), so the file's key is the
 * one `PartSegmenter.load` computes for those datasets. Weights are stored as float16 safetensors
 * with the recipe, the training time and this command in the metadata; a retrain on another machine
 * gives a segmenter of the same accuracy, not necessarily the same bytes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/backend/index.js';
import type { SynthBirdsDatasetConfig } from '../runtime/data/dataset.js';
import { SHIPPED_DIR } from '../runtime/eval/learned-model.js';
import { PartSegmenter } from '../runtime/eval/part-segmenter.js';
import { evalDatasetConfig } from '../runtime/model/data.js';
import * as tiny from '../generated/tiny/index.js';

await initBackend('tensorflow');
const dataset = evalDatasetConfig(tiny.plan.data, 'test', 64) as SynthBirdsDatasetConfig;
const log = (line: string) => process.stderr.write(`${line}\n`);

function report(s: PartSegmenter): void {
  for (const split of ['test', 'heldout'] as const) {
    const r = s.score({ dataset }, split, 200);
    log(`  ${split}: pixel accuracy ${(100 * r.pixelAccuracy).toFixed(1)} %, IoU ${Object.entries(r.iou).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}`).join(', ')} (${r.pictures} pictures)`);
  }
}

const { file } = PartSegmenter.shipped({ dataset });
if (process.argv.includes('--check')) {
  const s = await PartSegmenter.load({ dataset });
  log(`${s.source}: ${s.from} (${fs.statSync(file).size} bytes)`);
  report(s);
  s.dispose();
} else {
  const t0 = performance.now();
  const s = await PartSegmenter.train({ dataset, log });
  const seconds = (performance.now() - t0) / 1000;
  const provenance =
    `npx tsx tools/train-part-segmenter.ts (PartSegmenter default recipe for the tiny spec's synthetic birds; dataset seed ${s.meta.trainedOn.seed}, ` +
    `training seed 1, ${s.meta.trainedOn.epochs} epochs on ${s.meta.trainedOn.trainImages} train pictures); ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s on ` +
    `${os.cpus()[0]?.model ?? 'an unknown CPU'} × ${os.availableParallelism()}, load ${os.loadavg()[0]!.toFixed(1)}`;
  fs.mkdirSync(SHIPPED_DIR, { recursive: true });
  fs.writeFileSync(file, s.toShippedFile(provenance));
  log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes): ${provenance}`);
  log('float32 (as trained):');
  report(s);
  s.dispose();
  const shipped = await PartSegmenter.load({ dataset });
  log('float16 (what ships):');
  report(shipped);
  shipped.dispose();
}
tf.disposeVariables();
