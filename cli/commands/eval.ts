import * as path from 'node:path';
import type { Command } from 'commander';
// A leaf built into dist/ with the CLI (scripts/build.mjs), like error-codes.ts.
import { shownPath } from '../../runtime/util/shown-path.js';
import { defaultOutput, initCliBackend, intOption, loadTarget, shardOption, warnLine } from './model-target.js';

interface EvalCliOptions {
  metrics?: string;
  split: string;
  samples?: string;
  batchSize?: string;
  seed: string;
  evalEncoders?: string;
  inceptionWeights?: string;
  shard?: string;
  merge?: string[];
  out?: string;
  examples: string;
  generated?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function fmt(r: import('../../runtime/eval/report.js').EvalReport): string {
  const L: string[] = [];
  if (r.rprecision) L.push(`  R-precision   ${r.rprecision.mean.toFixed(2)} ± ${r.rprecision.std.toFixed(2)} %  (${r.protocol.rprecision!.candidates} candidates, ${r.protocol.rprecision!.folds} folds)`);
  if (r.fid) L.push(`  FID           ${r.fid.value.toFixed(2)}  (${r.fid.extractor}, ${r.fid.generated} vs ${r.fid.real} images)`);
  if (r.is) L.push(`  IS            ${r.is.mean.toFixed(2)} ± ${r.is.std.toFixed(2)}  (${r.is.extractor})`);
  const a = r.attributes;
  if (a?.generated.overall) L.push(`  attributes    ${a.generated.overall.accuracy.toFixed(2)} %  (real-image ceiling ${a.real.overall?.accuracy.toFixed(2)} %, chance ${a.chance.overall?.toFixed(2)} %)`);
  if (r.fid?.floor !== undefined) L.push(`  FID floor     ${r.fid.floor.toFixed(2)}  (${r.fid.trainImages} training vs ${r.fid.real} real images; FID is ${(r.fid.value / r.fid.floor).toFixed(2)}× the floor)`);
  if (r.attention) L.push(`  attention     lift ${r.attention.mean.toFixed(2)}  (${Object.entries(r.attention.parts).map(([k, v]) => `${k} ${v.lift.toFixed(2)}`).join(', ')}; 1 = spread evenly)`);
  if (r.damsm) L.push(`  DAMSM R@1     ${r.damsm.r1.toFixed(2)} %  (batch ${r.damsm.batchSize}${r.damsm.oracle !== null ? `; oracle ceiling ${r.damsm.oracle.toFixed(2)} %, ${(100 * r.damsm.ofCeiling!).toFixed(1)} % of it` : ''})`);
  return L.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('R-precision, FID (and its real-vs-real floor), Inception Score, attribute accuracy, attention lift and DAMSM R@1 → eval/report.json + report.md; shardable (--shard k/n, then --merge)')
    .argument('[model]', 'run folder, checkpoint folder, or a spec .yaml (untrained baseline); not needed with --merge')
    .option('--metrics <list>', 'comma-separated: rprecision,fid,is,attributes,attention,damsm (default: all that apply to the dataset)')
    .option('--split <name>', 'test, or heldout (synthetic birds: colour combinations never seen in training)', 'test')
    .option('--samples <n>', "generated images (default: the spec's evaluation samples)")
    .option('--batch-size <b>', "images per forward pass (default: the spec's evaluation batch size)")
    .option('--seed <int>', 'seed of the caption set and the noise', '0')
    .option('--eval-encoders <checkpoint>', "DAMSM encoders for R-precision from another checkpoint (default: the model's own)")
    .option('--inception-weights <file>', 'Inception-v3 weights (torchvision\'s inception_v3 state dict, .pth or .safetensors) for FID/IS; without it synthetic birds use the attribute classifier')
    .option('--shard <k/n>', 'evaluate only samples g with g mod n = k (0-based) and write partial results')
    .option('--merge <dirs...>', 'merge the partial results of shard folders into one report')
    .option('--out <dir>', 'output folder (default <run>/eval or <run>/eval-heldout (-<checkpoint> for one checkpoint), eval/<spec name>, or the shards\' parent folder with --merge)')
    .option('--examples <n>', 'example images kept for the report grid', '12')
    .option('--generated <folder>', 'generated model folder to load the checkpoint into (default: the one its manifest names)')
    .action(async (target: string | undefined, opts: EvalCliOptions, cmd: Command) => {
      const { AttncError } = await import('../../runtime/util/errors.js');
      const { mergePartials } = await import('../../runtime/eval/report.js');
      const { readPartial, evaluateShard, METRICS } = await import('../../runtime/eval/evaluate.js');
      if (opts.merge) {
        if (target !== undefined) throw new AttncError('ATTNC_USAGE_OPTION', '--merge takes shard folders, not a model', { hint: 'attnc eval --merge run/eval/shard-0-of-3 run/eval/shard-1-of-3 run/eval/shard-2-of-3' });
        const dirs = opts.merge;
        const out = opts.out ?? path.dirname(path.resolve(dirs[0]!));
        const report = mergePartials(dirs.map(readPartial), dirs, out);
        process.stdout.write(`merged ${dirs.length} shard(s), ${report.generated} samples:\n${fmt(report)}  → ${shownPath(path.join(out, 'report.md'))}\n`);
        return;
      }
      if (target === undefined) throw new AttncError('ATTNC_USAGE_OPTION', 'no model given', { hint: 'attnc eval runs/tiny-1 (or --merge <shard folders…>)' });
      const split = opts.split;
      if (!/^[\w.-]+$/.test(split)) throw new AttncError('ATTNC_USAGE_OPTION', `--split must be a split name such as test or heldout, got "${split}"`);
      const seed = await intOption('--seed', opts.seed, 0, 0xffffffff);
      const examples = await intOption('--examples', opts.examples, 0, 1000);
      const shard = await shardOption(opts.shard);
      await initCliBackend(cmd);
      const model = await loadTarget(target, warnLine, 0, opts.generated);
      const disposers: Array<() => void> = [() => model.dispose()];
      try {
        const synth = model.data.dataset.kind === 'synthbirds';
        const specMetric = <T extends string>(type: T) => model.evaluation.metrics.find((m) => m.type === type);
        const rpSpec = specMetric('r_precision') as { candidates: number; folds: number; samples: number } | undefined;
        const isSpec = specMetric('inception_score') as { splits: number; weights: string | null } | undefined;
        const fidSpec = specMetric('fid') as { weights: string | null } | undefined;
        const inceptionWeights = opts.inceptionWeights ?? fidSpec?.weights ?? isSpec?.weights ?? undefined;
        const attentionStages = model.data.imageSizes.length > 1;
        const defaults = ['rprecision', ...(inceptionWeights || synth ? ['fid', 'is'] : []), ...(synth ? ['attributes'] : []), ...(synth && attentionStages ? ['attention'] : []), 'damsm'];
        const metrics = (opts.metrics ?? defaults.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
        for (const m of metrics) {
          if (!(METRICS as readonly string[]).includes(m)) throw new AttncError('ATTNC_USAGE_OPTION', `unknown metric "${m}"`, { hint: `--metrics takes ${METRICS.join(',')}` });
        }
        const samples = opts.samples ? await intOption('--samples', opts.samples, 1, 10_000_000) : (rpSpec?.samples ?? 30000);
        const batchSize = opts.batchSize ? await intOption('--batch-size', opts.batchSize, 1, 4096) : model.evaluation.batchSize;
        const { loadCheckpointForInference } = await import('../../runtime/model/load.js');
        const { evalDatasetConfig } = await import('../../runtime/model/data.js');
        const dataset = evalDatasetConfig(model.data, split, model.data.imageSizes.at(-1)!);

        let evalEncoders: Parameters<typeof evaluateShard>[1]['evalEncoders'];
        if (opts.evalEncoders) {
          const other = await loadCheckpointForInference(opts.evalEncoders);
          disposers.push(() => other.dispose());
          if (!other.vocab.equals(model.vocab)) {
            throw new AttncError('ATTNC_EVAL_VOCAB', `${opts.evalEncoders}: its vocabulary differs from the model's`, { hint: 'evaluation encoders must be trained on the same dataset vocabulary' });
          }
          evalEncoders = { textEncoder: other.textEncoder, imageEncoder: other.imageEncoder, source: `${other.source} (--eval-encoders)` };
        }
        const needsExtractor = metrics.includes('fid') || metrics.includes('is');
        const needsClassifier = metrics.includes('attributes') || (needsExtractor && !inceptionWeights);
        let classifier;
        if (needsClassifier) {
          if (dataset.kind !== 'synthbirds') {
            throw new AttncError('ATTNC_EVAL_METRIC', `${metrics.includes('attributes') ? 'attribute accuracy' : 'FID/IS without Inception weights'} needs the synthetic birds`, { hint: 'give --inception-weights <inception_v3_google.pth>, or leave fid,is,attributes out of --metrics' });
          }
          const { AttributeClassifier } = await import('../../runtime/eval/attribute-classifier.js');
          classifier = await AttributeClassifier.load({ dataset, log });
          log(`attribute classifier: ${classifier.source === 'shipped' ? 'shipped with attnc' : classifier.source === 'cache' ? 'cached' : 'trained and cached'} (${shownPath(classifier.cachedAt ?? '')})`);
          disposers.push(() => classifier!.dispose());
        }
        let extractor;
        if (needsExtractor) {
          const { classifierExtractor, inceptionExtractor } = await import('../../runtime/eval/extractor.js');
          extractor = inceptionWeights ? inceptionExtractor(inceptionWeights) : classifierExtractor(classifier!);
          disposers.push(() => extractor!.dispose());
        }
        let segmenter;
        if (metrics.includes('attention')) {
          if (dataset.kind !== 'synthbirds') {
            throw new AttncError('ATTNC_EVAL_METRIC', 'the attention metric needs part masks: it is defined for the synthetic birds only', { hint: 'leave attention out of --metrics for this dataset' });
          }
          const { PartSegmenter } = await import('../../runtime/eval/part-segmenter.js');
          const seg = await PartSegmenter.load({ dataset, log });
          disposers.push(() => seg.dispose());
          log(`part segmenter: ${seg.source === 'shipped' ? 'shipped with attnc' : seg.source === 'cache' ? 'cached' : 'trained and cached'} (${shownPath(seg.from ?? '')})`);
          segmenter = { model: seg, score: seg.score({ dataset }, split === 'heldout' ? 'heldout' : split === 'train' ? 'train' : 'test') };
        }
        const trainDataset = metrics.includes('fid') && split !== 'train' ? evalDatasetConfig(model.data, 'train', model.data.imageSizes.at(-1)!) : undefined;
        const evalDir = opts.out ?? defaultOutput(target, split === 'test' ? 'eval' : `eval-${split}`, model.name);
        const outDir = shard.n > 1 ? path.join(evalDir, `shard-${shard.k}-of-${shard.n}`) : evalDir;
        log(`evaluating ${model.name} on ${split}: ${samples} samples${shard.n > 1 ? ` (shard ${shard.k}/${shard.n})` : ''}, metrics ${metrics.join(', ')}`);
        const partial = await evaluateShard(model, {
          split, metrics: metrics as Array<(typeof METRICS)[number]>, samples, batchSize, seed, shard,
          rprecision: { candidates: rpSpec?.candidates ?? 100, folds: rpSpec?.folds ?? 10 }, isSplits: isSpec?.splits ?? 10, examples, dataset,
          ...(evalEncoders ? { evalEncoders } : {}), ...(extractor ? { extractor } : {}), ...(classifier ? { classifier } : {}), ...(segmenter ? { segmenter } : {}), ...(trainDataset ? { trainDataset } : {}), log,
        }, outDir);
        if (shard.n > 1) {
          process.stdout.write(`shard ${shard.k}/${shard.n}: ${partial.generated} samples → ${shownPath(path.join(outDir, 'partial.json'))}\n  merge with: attnc eval --merge ${shownPath(path.join(evalDir, `shard-*-of-${shard.n}`))}\n`);
          return;
        }
        const report = mergePartials([partial], [outDir], outDir);
        process.stdout.write(`✓ ${model.name} on ${split} (${report.generated} samples, ${report.seconds.toFixed(1)} s):\n${fmt(report)}  → ${shownPath(path.join(outDir, 'report.md'))}\n`);
      } finally {
        for (const d of disposers.reverse()) d();
      }
    });
}
