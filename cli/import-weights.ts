import * as path from 'node:path';
import { readPickle } from '../runtime/io/pickle.js';
import { MAX_METADATA_BYTES, readBoundedFileSync } from '../runtime/io/read-file.js';
import { Vocabulary } from '../runtime/data/vocab.js';
import { openPthFile } from '../runtime/io/pth.js';
import { openGeneratorFile } from '../runtime/io/dfgan-checkpoint.js';
import { loadPth, type PthLoadReport } from '../runtime/nn/weights.js';
import type { Module } from '../runtime/nn/module.js';
import { exportState, type TorchState } from '../runtime/nn/state.js';
import { writeCheckpoint, type CheckpointWrite } from '../runtime/io/checkpoint.js';
import { setAttentionMaskMode } from '../runtime/model/checkpoint-options.js';
import { epochInFileName } from '../runtime/model/networks.js';
import { AttncError } from '../runtime/util/errors.js';
import { shownPath } from '../runtime/util/shown-path.js';
import { loadGeneratedForSpec } from './generated-model.js';

export interface ImportRequest {
  spec: string;
  generator: string;
  textEncoder: string;
  imageEncoder?: string;
  inception?: string;
  /** D_NET state_dicts, one per stage in stage order (netD0.pth, netD1.pth, …). */
  discriminator?: string[];
  captions?: string;
  partial?: boolean;
  out: string;
  name?: string;
  /** The spec's generated folder when it was compiled with -o. */
  generated?: string;
}

/** The original's attention-mask tiling, which the released weights were trained with (docs/original.md §4). */
export const IMPORTED_MASK_MODE = 'original_bug';

/**
 * `attnc import`: the original's .pth files → the generated model of `spec` (by layer kind, strict
 * unless `partial`) → an attnc checkpoint folder (+ vocab.json from captions.pickle). Returns the
 * report lines and the checkpoint folder.
 */
export async function runImport(req: ImportRequest): Promise<{ lines: string[]; checkpoint: string }> {
  const t0 = performance.now();
  const { dir, gen: model } = await loadGeneratedForSpec(req.spec, req.generated);
  const lines: string[] = [];
  const disposers: Module[] = [];
  try {
    // The vocabulary size is the text encoder's embedding rows.
    const te = openPthFile(req.textEncoder);
    const emb = te.entries.find((t) => t.name === 'encoder.weight' || t.name === 'module.encoder.weight');
    if (!emb || emb.shape.length !== 2) {
      throw new AttncError('ATTNC_WEIGHTS_MISMATCH', `${req.textEncoder}: no encoder.weight [n_words, dim]: not an RNN_ENCODER state_dict`, {
        path: req.textEncoder,
        hint: 'pass the DAMSM text encoder, e.g. DAMSMencoders/bird/text_encoder200.pth',
      });
    }
    const vocabSize = emb.shape[0]!;
    let vocab: Vocabulary | undefined;
    if (req.captions) {
      const bytes = readBoundedFileSync(req.captions, { code: 'ATTNC_IO_READ', what: 'captions pickle', maxBytes: MAX_METADATA_BYTES });
      vocab = Vocabulary.fromCaptionsPickle(readPickle(bytes, req.captions), req.captions);
      if (vocab.size !== vocabSize) {
        throw new AttncError(
          'ATTNC_WEIGHTS_MISMATCH',
          `${req.captions} has ${vocab.size} words but ${req.textEncoder} embeds ${vocabSize}: they belong to different datasets`,
          { path: req.captions, hint: 'the released birds files have 5,450 words, COCO 27,297 (docs/original.md §1)' },
        );
      }
    }

    const textEncoder = model.networks.textEncoder(vocabSize);
    disposers.push(textEncoder);
    const generator = model.networks.generator();
    disposers.push(generator);
    const reports: Array<[string, PthLoadReport]> = [];
    reports.push(['text_encoder', loadPth(textEncoder, te, { partial: req.partial })]);
    // DF-GAN saves G, D and C in one `state_epoch_<n>.pth` ({model: {netG, netD, netC}, …}).
    const gFile = openGeneratorFile(req.generator);
    const dfgan = 'dfgan' in gFile ? gFile.dfgan : null;
    reports.push(['generator', loadPth(generator, 'dfgan' in gFile ? gFile.dfgan.netG : gFile.plain, { partial: req.partial })]);
    const discriminators: Module[] = [];
    if (dfgan && !req.discriminator?.length) {
      const ds = model.networks.discriminators();
      disposers.push(...ds);
      const parts = ds.length === 1 ? new Map(ds[0]!.children()) : new Map<string, Module>();
      const [netD, netC] = [parts.get('netD'), parts.get('netC')];
      if (!netD || !netC) {
        throw new AttncError('ATTNC_WEIGHTS_MISMATCH', `${req.generator} is a DF-GAN checkpoint (netG, netD, netC), but ${model.SPEC.name}'s discriminators are not DF-GAN's one-way NetD + NetC`, {
          path: req.generator,
          hint: 'import it into a spec with `discriminators: { type: one_way }` and a `fusion` generator stage (spec/dfgan.yaml)',
        });
      }
      reports.push(['discriminator (netD)', loadPth(netD, dfgan.netD, { partial: req.partial })]);
      reports.push(['discriminator (netC)', loadPth(netC, dfgan.netC, { partial: req.partial })]);
      discriminators.push(ds[0]!);
    } else if (req.discriminator?.length) {
      const ds = model.networks.discriminators();
      disposers.push(...ds);
      if (req.discriminator.length !== ds.length) {
        throw new AttncError('ATTNC_USAGE_OPTION', `${req.discriminator.length} --discriminator file${req.discriminator.length === 1 ? '' : 's'} given; ${model.SPEC.name} has ${ds.length} discriminators`, {
          hint: `give one per stage, in stage order: ${ds.map((_, i) => `--discriminator netD${i}.pth`).join(' ')}`,
        });
      }
      req.discriminator.forEach((file, i) => {
        reports.push([`discriminator ${i}`, loadPth(ds[i]!, file, { partial: req.partial })]);
        discriminators.push(ds[i]!);
      });
    }
    let imageEncoder: Module | undefined;
    if (req.inception || req.imageEncoder) {
      imageEncoder = model.networks.imageEncoder();
      disposers.push(imageEncoder);
      if (req.inception) {
        // ImageNet trunk first; image_encoder.pth (DAMSM-adapted BN statistics, §4) overrides it.
        reports.push(['image_encoder (trunk)', loadPth(imageEncoder, req.inception, {
          dropUnexpected: /^(AuxLogits|fc)\./,
          allowMissing: /^emb_(features|cnn_code)\./,
          partial: req.partial,
        })]);
      }
      if (req.imageEncoder) {
        reports.push(['image_encoder', loadPth(imageEncoder, req.imageEncoder, { partial: req.partial || !!req.inception })]);
      }
    }

    const attentionStages = setAttentionMaskMode(generator, IMPORTED_MASK_MODE);

    for (const [what, r] of reports) {
      const extra = [
        r.ignored.length ? `${r.ignored.length} num_batches_tracked ignored` : '',
        r.strippedPrefix ? 'DataParallel "module." prefix stripped' : '',
        r.dropped.length ? `${r.dropped.length} keys dropped (${summarise(r.dropped)})` : '',
      ].filter(Boolean);
      lines.push(`✓ ${what.padEnd(21)} ${r.file} (${r.format} format): ${r.loaded.length} tensors${extra.length ? `; ${extra.join('; ')}` : ''}`);
      if (r.allowedMissing.length && !(what === 'image_encoder (trunk)' && r.allowedMissing.every((m) => /^emb_/.test(m.name)))) {
        lines.push(`  ! ${r.allowedMissing.length} keys not in the file keep their initial values (--partial):`);
        for (const m of r.allowedMissing.slice(0, 20)) lines.push(`      ${m.name} [${m.shape.join(', ')}]`);
        if (r.allowedMissing.length > 20) lines.push(`      … and ${r.allowedMissing.length - 20} more`);
      }
    }
    if (attentionStages > 0) {
      lines.push(
        `! attention mask: ${IMPORTED_MASK_MODE} in ${attentionStages} attention stage${attentionStages > 1 ? 's' : ''}: these weights were trained with the ` +
          "original's mask tiling (GlobalAttention.py:105-108, docs/original.md §4); the checkpoint records it and sampling reproduces it",
      );
    }
    if (!vocab) lines.push('! no --captions: the checkpoint has no vocab.json, which `attnc sample`/`attnc eval` need to encode captions; import again with --captions <data>/captions.pickle');
    if (!imageEncoder) lines.push('! no --image-encoder: DAMSM-based metrics (R-precision) need it');
    if (dfgan) lines.push(`  ${shownPath(req.generator)} is a DF-GAN checkpoint: netG, netD and netC read from its \`model\` dict`);
    if (!discriminators.length) lines.push('! no --discriminator: `attnc train --resume` would start the discriminators from scratch; the original saves them as netD0.pth, netD1.pth, … beside netG');

    // Each network keeps the epoch of its own file (text_encoder200.pth beside netG_epoch_600.pth);
    // the discriminators, saved beside G, share G's. Training resumes at the epoch after G's, as the
    // original's trainer does with TRAIN.NET_G (trainer.py:110-113: `epoch = int(epoch) + 1`).
    const gEpoch = epochInFileName(req.generator);
    const epoch = gEpoch === undefined ? 0 : gEpoch + 1;
    const own = (file: string | undefined) => {
      const e = file === undefined ? undefined : epochInFileName(file);
      return e !== undefined ? { epoch: e } : {};
    };
    const tensors: Record<string, TorchState> = {
      'netG.safetensors': exportState(generator),
      'text_encoder.safetensors': exportState(textEncoder),
    };
    const networks: CheckpointWrite['networks'] = {
      // The original's netG is its EMA average (avg_param_G); DF-GAN's state_epoch holds the live G (no average).
      'netG.safetensors': { network: 'generator', weights: dfgan ? 'live' : 'ema', ...own(req.generator) },
      'text_encoder.safetensors': { network: 'text_encoder', weights: 'live', ...own(req.textEncoder) },
    };
    if (imageEncoder) {
      tensors['image_encoder.safetensors'] = exportState(imageEncoder);
      networks['image_encoder.safetensors'] = { network: 'image_encoder', weights: 'live', ...own(req.imageEncoder) };
    }
    discriminators.forEach((d, i) => {
      tensors[`netD${i}.safetensors`] = exportState(d);
      networks[`netD${i}.safetensors`] = { network: `discriminator_${i}`, weights: 'live', ...(gEpoch === undefined ? {} : { epoch: gEpoch }) };
    });
    const options: Record<string, string> = {
      ...(attentionStages > 0 ? { attention_mask: IMPORTED_MASK_MODE } : {}),
      imported_generator: path.resolve(req.generator),
      imported_text_encoder: path.resolve(req.textEncoder),
    };
    if (req.imageEncoder) options.imported_image_encoder = path.resolve(req.imageEncoder);
    if (req.inception) options.imported_inception = path.resolve(req.inception);
    req.discriminator?.forEach((file, i) => (options[`imported_discriminator_${i}`] = path.resolve(file)));
    if (req.partial) options.partial = 'true';
    const checkpoint = writeCheckpoint(path.join(req.out, 'checkpoints'), req.name ?? 'imported', {
      spec: { name: model.SPEC.name, sha256: model.SPEC.sha256, file: model.SPEC.file },
      generated: dir,
      phase: 'import',
      progress: { epoch, batch: 0, step: 0, damsmComplete: true },
      seed: 0,
      networks,
      optimizers: [],
      metrics: {},
      options,
      tensors,
      json: vocab ? { 'vocab.json': vocab.toJSON() } : {},
      wallTime: 0,
    });
    lines.push(`✓ wrote ${shownPath(checkpoint)} in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
      ` (${Object.keys(tensors).join(', ')}${vocab ? ', vocab.json' : ''})`);
    return { lines, checkpoint };
  } finally {
    for (const m of disposers) m.dispose();
  }
}

function summarise(names: string[]): string {
  const heads = [...new Set(names.map((n) => n.split('.')[0]))];
  return heads.slice(0, 4).join(', ') + (heads.length > 4 ? ', …' : '');
}

