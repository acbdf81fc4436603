import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { encodePng } from '../runtime/data/images.js';
import { encodeCaption, readSample, tokenTensor, type EncodedCaption } from '../runtime/eval/generate.js';
import type { InferenceModel } from '../runtime/model/contract.js';
import { drawNoise } from '../runtime/model/noise.js';
import { inShard, WHOLE, type Shard } from '../runtime/eval/shard.js';
import { isAttncError } from '../runtime/util/errors.js';
import { attentionFigure, toRgbImages } from '../runtime/figures/figures.js';
import { sampleIndexHtml, type HtmlCaption } from '../runtime/figures/html.js';

export interface SampleRunOptions {
  captions: readonly string[];
  /** Images per caption. */
  n: number;
  seed: number;
  batchSize: number;
  shard?: Shard;
  outDir: string;
  /** Side of each attention-figure panel (default 128). */
  panel?: number;
  /** Warnings (unknown words, cut captions), one line each. */
  warn?: (line: string) => void;
}

export interface SampleRunResult {
  captions: HtmlCaption[];
  /** Captions that could not be sampled (empty, no known word): nothing was written for them. */
  errors: Array<{ index: number; text: string; message: string; hint?: string }>;
  files: string[];
}

/**
 * `attnc sample`: every caption of this shard × `n` images. Caption i's r-th image is global
 * sample g = i·n + r, whose noise is seeded by (seed, g), so the same seed gives the same images
 * whatever the batch size or sharding. Writes per caption `c<i>/s<r>_g<k>.png` (stage k) and
 * `c<i>/s<r>_a<j>.png` (attention stage j's figure), and `index.html`.
 */
export function sampleCaptions(model: InferenceModel, opts: SampleRunOptions): SampleRunResult {
  const shard = opts.shard ?? WHOLE;
  const warn = opts.warn ?? (() => {});
  const wordsNum = model.data.wordsNum;
  const errors: SampleRunResult['errors'] = [];
  const encoded: Array<{ index: number; enc: EncodedCaption }> = [];
  opts.captions.forEach((text, index) => {
    if (!inShard(index, shard)) return;
    try {
      const enc = encodeCaption(text, model.vocab, wordsNum);
      if (enc.unknown.length > 0) warn(`caption ${index + 1}: unknown word${enc.unknown.length > 1 ? 's' : ''} dropped: ${enc.unknown.map((w) => JSON.stringify(w)).join(', ')}`);
      if (enc.cut.length > 0) warn(`caption ${index + 1}: longer than the model's ${wordsNum}-word limit; cut off: "${enc.cut.join(' ')}"`);
      encoded.push({ index, enc });
    } catch (e) {
      if (!isAttncError(e)) throw e;
      errors.push({ index, text, message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    }
  });
  const jobs = encoded.flatMap((c) => Array.from({ length: opts.n }, (_, r) => ({ ...c, r, g: c.index * opts.n + r })));
  const byCaption = new Map<number, HtmlCaption>(encoded.map(({ index, enc }) => [index, { index, text: enc.text, words: enc.words, unknown: enc.unknown, cut: enc.cut, samples: [] }]));
  const files: string[] = [];
  fs.mkdirSync(opts.outDir, { recursive: true });
  const write = (rel: string, bytes: Uint8Array) => {
    const file = path.join(opts.outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    files.push(rel);
  };
  for (let start = 0; start < jobs.length; start += opts.batchSize) {
    const batch = jobs.slice(start, start + opts.batchSize);
    const { tokens, lengths } = tokenTensor(batch.map((j) => j.enc.ids));
    const noise = drawNoise({ purpose: 'sample', seed: opts.seed, indices: batch.map((j) => j.g) }, model.noise);
    const out = readSample(model.sample(tokens, lengths, noise));
    tf.dispose([tokens, noise.z, noise.eps]);
    const stages = out.images.map((im) => toRgbImages(im.values, im.shape));
    batch.forEach((job, b) => {
      const dir = `c${String(job.index).padStart(4, '0')}`;
      const stageFiles = stages.map((imgs, k) => {
        const file = `${dir}/s${job.r}_g${k}.png`;
        write(file, encodePng(imgs[b]!));
        return { file, size: imgs[b]!.width };
      });
      const figures = out.attn.map((a, j) => {
        const [, h, w, T] = a.shape as [number, number, number, number];
        const per = h * w * T;
        const stage = stages.length - out.attn.length + j;
        const file = `${dir}/s${job.r}_a${j}.png`;
        write(file, attentionFigure({ image: stages[stage]![b]!, maps: a.values.subarray(b * per, (b + 1) * per), h, w, channels: T, words: job.enc.words }, { panel: opts.panel ?? 128 }));
        return { file, stage };
      });
      byCaption.get(job.index)!.samples.push({ repeat: job.r, stages: stageFiles, figures });
    });
  }
  const captions = [...byCaption.values()].sort((a, b) => a.index - b.index);
  const meta = `${model.name} from ${model.source} (${model.generatorWeights} generator weights), seed ${opts.seed}, ${opts.n} image(s) per caption` + (shard.n > 1 ? `, shard ${shard.k}/${shard.n}` : '');
  write('index.html', new TextEncoder().encode(sampleIndexHtml(`attnc sample: ${model.name}`, meta, captions)));
  return { captions, errors, files };
}
