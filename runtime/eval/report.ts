import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImage } from '../data/images.js';
import { labelledGrid } from '../figures/figures.js';
import { AttncError } from '../util/errors.js';
import { LIFT_PARTS, emptyAttentionSums, mergeAttentionSums } from './attention-metric.js';
import { HEADS } from './attribute-classifier.js';
import { emptyDamsmSums, mergeDamsmSums } from './damsm-metric.js';
import type { SegmentationScore } from './part-segmenter.js';
import type { AttributeCounts, EvalProtocol, PartialResult } from './evaluate.js';
import { FeatureStats, frechetDistance } from './fid.js';
import { InceptionScoreSums } from './inception-score.js';
import { RPrecisionSums } from './rprecision.js';

export interface AttributeReport {
  /** Percent per attribute over the samples whose caption states it, and overall (pooled). */
  generated: Record<string, { accuracy: number; n: number }> & { overall?: { accuracy: number; n: number } };
  real: Record<string, { accuracy: number; n: number }> & { overall?: { accuracy: number; n: number } };
  /** Uniform guessing, per attribute and pooled over the generated samples' stated attributes. */
  chance: Record<string, number>;
}

export interface EvalReport {
  format: 'attnc-eval-report';
  version: 1;
  protocol: EvalProtocol;
  shards: number;
  generated: number;
  realImages: number;
  rprecision?: { mean: number; std: number; perFold: number[]; samples: number };
  fid?: { value: number; generated: number; real: number; extractor: string; floor?: number; trainImages?: number };
  is?: { mean: number; std: number; perSplit: number[]; extractor: string };
  attributes?: AttributeReport;
  /** Per part: mean lift of the colour words naming it, words scored, and the mean lift of attention wholly inside the part. */
  attention?: { parts: Record<string, { lift: number; words: number; ceiling: number }>; mean: number; skipped: number; segmenter: SegmentationScore };
  /** DAMSM R@1 (percent) on real pictures and the oracle's ceiling on the same batches (synthetic birds). */
  damsm?: { r1: number; oracle: number | null; ofCeiling: number | null; captions: number; batchSize: number };
  examples: { file: string; count: number } | null;
  unknownWords: number;
  seconds: number;
}

/** Protocol equality, ignoring key order. */
function same(a: unknown, b: unknown): boolean {
  const norm = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(norm) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)).map(([k, v]) => [k, norm(v)])) : x;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function pct(c: AttributeCounts): AttributeReport['generated'] {
  const out: Record<string, { accuracy: number; n: number }> = {};
  let correct = 0;
  let total = 0;
  for (const h of HEADS) {
    const n = c.total[h.name] ?? 0;
    if (n === 0) continue;
    out[h.name] = { accuracy: (100 * c.correct[h.name]!) / n, n };
    correct += c.correct[h.name]!;
    total += n;
  }
  if (total > 0) out.overall = { accuracy: (100 * correct) / total, n: total };
  return out as AttributeReport['generated'];
}

function addCounts(a: AttributeCounts, b: AttributeCounts): void {
  for (const k of Object.keys(b.total)) {
    a.total[k] = (a.total[k] ?? 0) + b.total[k]!;
    a.correct[k] = (a.correct[k] ?? 0) + b.correct[k]!;
  }
}

/**
 * Partial results of shards 0..n−1 (each once, same protocol) → the report one unsharded run
 * gives: R-precision folds and IS splits from summed counts, FID from summed feature moments.
 * `dirs[i]` holds `partials[i]` and its files. Writes report.json, report.md and examples.png to `outDir`.
 */
export function mergePartials(partials: readonly PartialResult[], dirs: readonly string[], outDir: string): EvalReport {
  if (partials.length === 0) throw new AttncError('ATTNC_EVAL_PARTIAL', 'nothing to merge');
  const first = partials[0]!;
  const n = first.shard.n;
  const seen = new Set<number>();
  partials.forEach((p, i) => {
    if (!same(p.protocol, first.protocol)) {
      throw new AttncError('ATTNC_EVAL_MERGE', `${dirs[i]}: evaluated with another protocol than ${dirs[0]}`, {
        path: dirs[i], hint: `compare the "protocol" of their partial.json files:\n  ${JSON.stringify(p.protocol)}\n  ${JSON.stringify(first.protocol)}`,
      });
    }
    if (p.shard.n !== n) throw new AttncError('ATTNC_EVAL_MERGE', `${dirs[i]}: shard ${p.shard.k}/${p.shard.n}, but ${dirs[0]} is one of ${n}`, { path: dirs[i] });
    if (seen.has(p.shard.k)) throw new AttncError('ATTNC_EVAL_MERGE', `${dirs[i]}: shard ${p.shard.k}/${n} given twice`, { path: dirs[i] });
    seen.add(p.shard.k);
  });
  const missing = Array.from({ length: n }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    throw new AttncError('ATTNC_EVAL_MERGE', `shards ${missing.map((k) => `${k}/${n}`).join(', ')} missing from the merge`, { hint: 'pass the output folder of every shard' });
  }
  const proto = first.protocol;
  const report: EvalReport = {
    format: 'attnc-eval-report',
    version: 1,
    protocol: proto,
    shards: n,
    generated: partials.reduce((s, p) => s + p.generated, 0),
    realImages: partials.reduce((s, p) => s + p.realImages, 0),
    examples: null,
    unknownWords: first.unknownWords,
    seconds: partials.reduce((s, p) => s + p.seconds, 0),
  };
  if (proto.rprecision) {
    const rp = new RPrecisionSums(proto.rprecision);
    for (const p of partials) rp.merge(RPrecisionSums.fromJSON(p.rprecision!));
    report.rprecision = rp.score();
  }
  if (proto.is) {
    const is = new InceptionScoreSums(proto.is.classes, proto.is.splits);
    for (const p of partials) is.merge(InceptionScoreSums.fromJSON(p.is!));
    report.is = { ...is.score(), extractor: proto.is.extractor };
  }
  if (proto.fid) {
    const read = (dir: string, name: string) => {
      const file = path.join(dir, name);
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new AttncError('ATTNC_EVAL_PARTIAL', `${file}: FID statistics missing`, { path: file, cause: e });
      }
      return FeatureStats.fromBytes(bytes, file);
    };
    const gen = partials.map((p, i) => read(dirs[i]!, p.fid!.generated)).reduce((a, b) => a.merge(b));
    const real = partials.map((p, i) => read(dirs[i]!, p.fid!.real)).reduce((a, b) => a.merge(b));
    report.fid = { value: frechetDistance(gen, real), generated: gen.n, real: real.n, extractor: proto.fid.extractor };
    if (proto.fidFloor) {
      const train = partials.map((p, i) => read(dirs[i]!, p.fidFloor!)).reduce((a, b) => a.merge(b));
      report.fid.floor = frechetDistance(train, real);
      report.fid.trainImages = train.n;
    }
  }
  if (proto.attention) {
    const sums = partials.map((p) => p.attention!).reduce((a, b) => mergeAttentionSums(a, b), emptyAttentionSums());
    const parts: Record<string, { lift: number; words: number; ceiling: number }> = {};
    let total = 0;
    let words = 0;
    LIFT_PARTS.forEach((part, k) => {
      const n = sums.lift.count[k]!;
      parts[part] = { lift: n ? sums.lift.sum[k]! / n : NaN, words: n, ceiling: n ? sums.ceiling[k]! / n : NaN };
      total += sums.lift.sum[k]!;
      words += n;
    });
    report.attention = { parts, mean: words ? total / words : NaN, skipped: sums.skipped, segmenter: first.attention!.segmenter };
  }
  if (proto.damsm) {
    const sums = partials.map((p) => p.damsm!).reduce((a, b) => mergeDamsmSums(a, b), emptyDamsmSums());
    const r1 = sums.captions ? (100 * sums.hits) / sums.captions : NaN;
    const oracle = sums.oracle > 0 ? (100 * sums.oracle) / sums.captions : null;
    report.damsm = { r1, oracle, ofCeiling: oracle ? r1 / oracle : null, captions: sums.captions, batchSize: proto.damsm.batchSize };
  }
  if (proto.attributes) {
    const gen: AttributeCounts = { correct: {}, total: {} };
    const real: AttributeCounts = { correct: {}, total: {} };
    for (const p of partials) {
      addCounts(gen, p.attributes!.generated);
      addCounts(real, p.attributes!.real);
    }
    const chance: Record<string, number> = {};
    let pooled = 0;
    let total = 0;
    for (const h of HEADS) {
      chance[h.name] = 100 / h.values.length;
      pooled += (gen.total[h.name] ?? 0) * chance[h.name]!;
      total += gen.total[h.name] ?? 0;
    }
    if (total > 0) chance.overall = pooled / total;
    report.attributes = { generated: pct(gen), real: pct(real), chance };
  }
  fs.mkdirSync(outDir, { recursive: true });
  const examples = partials.flatMap((p, i) => p.examples.map((e) => ({ ...e, dir: dirs[i]! }))).sort((a, b) => a.g - b.g);
  if (examples.length > 0) {
    const cells = examples.map((e) => ({ image: decodeImage(fs.readFileSync(path.join(e.dir, e.file)), path.join(e.dir, e.file)), caption: e.caption }));
    fs.writeFileSync(path.join(outDir, 'examples.png'), labelledGrid(cells, { cols: Math.min(6, cells.length), cell: 128 }));
    report.examples = { file: 'examples.png', count: cells.length };
  }
  fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'report.md'), reportMarkdown(report));
  return report;
}

const f2 = (x: number) => x.toFixed(2);

/** The report for people: numbers first, then exactly how they were measured. */
export function reportMarkdown(r: EvalReport): string {
  const p = r.protocol;
  const L: string[] = [];
  L.push(`# attnc eval: ${p.model.name}`, '');
  L.push(`Model \`${p.model.source}\` (${p.model.generatorWeights === 'ema' ? 'EMA generator weights' : p.model.generatorWeights === 'live' ? 'live generator weights (no EMA in the checkpoint)' : 'untrained, initial weights'}), split **${p.split}**, ${r.generated} generated images of ${p.imageSize}×${p.imageSize}` + (r.shards > 1 ? `, merged from ${r.shards} shards` : '') + '.', '');
  L.push('| metric | value |', '|---|---|');
  if (r.rprecision) L.push(`| R-precision (R=1, ${p.rprecision!.candidates} candidates) | ${f2(r.rprecision.mean)} ± ${f2(r.rprecision.std)} % |`);
  if (r.fid) L.push(`| FID (${r.fid.extractor}) | ${f2(r.fid.value)} |`);
  if (r.is) L.push(`| Inception Score (${r.is.extractor}) | ${f2(r.is.mean)} ± ${f2(r.is.std)} |`);
  if (r.fid?.floor !== undefined) L.push(`| FID floor (training vs ${p.split} real images) | ${f2(r.fid.floor)} (FID is ${f2(r.fid.value / r.fid.floor)}× the floor) |`);
  if (r.attention) L.push(`| attention lift (colour words, last stage) | ${f2(r.attention.mean)} (${LIFT_PARTS.map((k) => `${k} ${f2(r.attention!.parts[k]!.lift)}`).join(', ')}) |`);
  if (r.damsm) L.push(`| DAMSM R@1 on real images (batch ${r.damsm.batchSize}) | ${f2(r.damsm.r1)} %${r.damsm.oracle !== null ? ` (oracle ceiling ${f2(r.damsm.oracle)} %, ${f2(100 * r.damsm.ofCeiling!)} % of it)` : ''} |`);
  if (r.attributes?.generated.overall) L.push(`| attribute accuracy, generated | ${f2(r.attributes.generated.overall.accuracy)} % (real-image ceiling ${f2(r.attributes.real.overall?.accuracy ?? NaN)} %, chance ${f2(r.attributes.chance.overall ?? NaN)} %) |`);
  L.push('');
  if (r.attributes) {
    L.push('## Attribute accuracy', '', '| attribute | generated (stated in caption) | real images (ceiling) | chance |', '|---|---|---|---|');
    for (const h of [...HEADS.map((x) => x.name), 'overall']) {
      const g = r.attributes.generated[h];
      const re = r.attributes.real[h];
      if (!g && !re) continue;
      L.push(`| ${h} | ${g ? `${f2(g.accuracy)} % (n=${g.n})` : '–'} | ${re ? `${f2(re.accuracy)} % (n=${re.n})` : '–'} | ${f2(r.attributes.chance[h] ?? NaN)} % |`);
    }
    L.push('');
  }
  if (r.attention) {
    L.push('## Attention', '', '| part | lift | colour words | lift if all attention fell inside the part |', '|---|---|---|---|');
    for (const k of LIFT_PARTS) {
      const a = r.attention.parts[k]!;
      L.push(`| ${k} | ${f2(a.lift)} | ${a.words} | ${f2(a.ceiling)} |`);
    }
    const seg = r.attention.segmenter;
    L.push('', `Parts found by the part segmenter: pixel accuracy ${f2(100 * seg.pixelAccuracy)} % on ${seg.pictures} real pictures of the split (IoU ${Object.entries(seg.iou).map(([k, v]) => `${k} ${f2(100 * v)} %`).join(', ')}).${r.attention.skipped ? ` ${r.attention.skipped} colour words skipped: their part covered less than ${f2(100 * p.attention!.minPartShare)} % of the grid.` : ''}`, '');
  }
  L.push('## Protocol', '');
  L.push(`- Caption set: ${p.samples} samples from the ${p.split} split, seed ${p.seed}; sample g uses image g mod N of a seeded permutation (re-drawn each pass), one of its captions at random, the spec's word limit (${p.wordsNum} words), and noise z, ε ~ N(0, 1) seeded by (seed, g). The last stage's image is scored.`);
  if (p.rprecision) L.push(`- R-precision (docs/original.md §8, DM-GAN's protocol): cosine similarity between the generated image's global DAMSM feature and the sentence features of its own caption and ${p.rprecision.candidates - 1} captions of images from other classes; a hit when its own ranks first. Sample g is in fold g mod ${p.rprecision.folds}; mean ± population std over the ${p.rprecision.folds} folds (${r.rprecision!.perFold.map(f2).join(', ')}). DAMSM encoders: ${p.rprecision.encoders}.`);
  if (p.fid) L.push(`- FID: ${p.fid.description}. Generated ${r.fid!.generated} vs ${r.fid!.real} real images of the split (centre crop, no flip); Fréchet distance in float64, tr √(Σ₁Σ₂) from a symmetric eigendecomposition (checked against scipy.linalg.sqrtm).`);
  if (p.is) L.push(`- Inception Score: exp E KL(p(y|x) ‖ p(y)) over ${p.is.classes} classes of ${p.is.extractor}; sample g in split g mod ${p.is.splits}; mean ± std over splits (${r.is!.perSplit.map(f2).join(', ')}).`);
  if (p.attributes) L.push(`- Attribute accuracy: ${p.attributes.classifier} reads wing/belly/crown colour, beak length, size and scene from each generated image; scored only on the attributes its caption states (parsed from the words fed to the generator). The same classifier on the split's real images gives the ceiling; chance is uniform guessing.`);
  if (p.fidFloor) L.push(`- FID floor: ${r.fid!.trainImages} real training images against the same ${r.fid!.real} real images of the split, same extractor: what FID reads for two samples of real pictures. A generator that matched the data distribution would read about this.`);
  if (p.attention) L.push(`- Attention lift (stage ${p.attention.stage}, the last attention stage): for every colour word the caption grammar attaches to wing, belly or crown, the share of the word's attention mass inside that part divided by the part's share of the attention grid; 1 means no better than spreading attention evenly. Parts of a generated image are found by ${p.attention.segmenter} (there is no mask for a generated picture), pooled to the attention grid.`);
  if (p.damsm) L.push(`- DAMSM R@1: image → caption retrieval with the global features of ${p.damsm.encoders}, on the split's real pictures in ${p.damsm.passes} seeded pass(es) of shuffled batches of ${p.damsm.batchSize} (the DAMSM batch size; chance ${f2(100 / p.damsm.batchSize)} %). The oracle knows each image's true attributes and ranks captions by the attributes they name (runtime/eval/damsm-oracle.ts); ties count as the expected hit of a random pick.`);
  if (r.unknownWords > 0) L.push(`- ${r.unknownWords} caption words of the split are not in the model's vocabulary and were dropped.`);
  L.push('');
  if (r.examples) L.push('## Examples', '', `![${r.examples.count} generated examples with their captions](${r.examples.file})`, '');
  return L.join('\n');
}
