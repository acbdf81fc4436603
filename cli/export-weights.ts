import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeSafetensors } from '../runtime/io/safetensors.js';
import { writePth } from '../runtime/io/pth-write.js';
import { readCheckpointTensors, readManifest, resolveCheckpoint } from '../runtime/io/checkpoint.js';
import { AttncError } from '../runtime/util/errors.js';
import { shownPath } from '../runtime/util/shown-path.js';

export interface ExportRequest {
  source: string;
  format: 'pth' | 'safetensors';
  out: string;
}

/**
 * The file stem the original gives each network (trainer.py / pretrain_DAMSM.py): G's EMA weights
 * are `netG_epoch_<n>`, discriminators `netD<i>`, encoders `text_encoder<n>` / `image_encoder<n>`.
 * G's live weights have no counterpart (the original saves only the averaged G) and are skipped.
 */
export function originalStem(network: string, weights: 'live' | 'ema', epoch: number): string | null {
  if (network === 'generator') return weights === 'ema' ? `netG_epoch_${epoch}` : null;
  if (network === 'text_encoder') return `text_encoder${epoch}`;
  if (network === 'image_encoder') return `image_encoder${epoch}`;
  const d = /^discriminator_(\d+)$/.exec(network);
  if (d) return `netD${d[1]}`;
  return null;
}

/**
 * `attnc export`: a checkpoint's networks (already PyTorch layout under the original names) → one
 * file per network, `.pth` (zip format, weights_only-loadable) or `.safetensors`.
 */
export function runExport(req: ExportRequest): { lines: string[]; files: string[] } {
  const dir = resolveCheckpoint(req.source);
  const manifest = readManifest(dir);
  fs.mkdirSync(req.out, { recursive: true });
  const lines: string[] = [];
  const files: string[] = [];
  for (const [file, { network, weights, epoch }] of Object.entries(manifest.networks)) {
    // Each network under its own epoch (an encoder trained 200 epochs stays text_encoder200).
    const stem = originalStem(network, weights, epoch ?? manifest.progress.epoch);
    if (!stem) {
      lines.push(`- ${file}: skipped (${network} ${weights} weights have no file in the original)`);
      continue;
    }
    const state = readCheckpointTensors(dir, manifest, file);
    const target = path.join(req.out, `${stem}.${req.format}`);
    const bytes =
      req.format === 'pth'
        ? writePth([...state].map(([name, t]) => ({ name, shape: t.shape, data: t.data })))
        : encodeSafetensors([...state], { format: 'pt' });
    try {
      fs.writeFileSync(target, bytes);
    } catch (e) {
      throw new AttncError('ATTNC_IO_WRITE', `${target}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: target });
    }
    files.push(target);
    lines.push(`✓ ${file} → ${shownPath(target)} (${state.size} tensors, ${(bytes.length / 2 ** 20).toFixed(1)} MiB)`);
  }
  if (req.format === 'pth') {
    lines.push('  load in PyTorch: net.load_state_dict(torch.load(path, weights_only=True)) into the original G_NET / D_NET / RNN_ENCODER / CNN_ENCODER');
  }
  if (manifest.options.attention_mask) lines.push(`  note: these weights expect attention_mask: ${manifest.options.attention_mask}`);
  return { lines, files };
}
