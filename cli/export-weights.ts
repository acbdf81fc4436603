import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeSafetensors } from '../runtime/io/safetensors.js';
import { writePth, type PthWriteTensor } from '../runtime/io/pth-write.js';
import { writeDfganCheckpoint, type DfganNetwork } from '../runtime/io/dfgan-checkpoint.js';
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
  const write = (target: string, bytes: Uint8Array) => {
    try {
      fs.writeFileSync(target, bytes);
    } catch (e) {
      throw new AttncError('ATTNC_IO_WRITE', `${target}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path: target });
    }
    files.push(target);
  };
  const dfgan = req.format === 'pth' ? dfganNetworks(dir, manifest) : null;
  if (dfgan) {
    // DF-GAN keeps G, D and C in one file, as its save_models writes it (without the optimizer states).
    const target = path.join(req.out, `state_epoch_${dfgan.epoch}.pth`);
    const bytes = writeDfganCheckpoint(dfgan.networks, dfgan.epoch);
    write(target, bytes);
    lines.push(`✓ ${dfgan.files.join(', ')} → ${shownPath(target)} (DF-GAN's {model: {netG, netD, netC}, epoch}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB)`);
  }
  for (const [file, { network, weights, epoch }] of Object.entries(manifest.networks)) {
    if (dfgan?.files.includes(file)) continue;
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
    write(target, bytes);
    lines.push(`✓ ${file} → ${shownPath(target)} (${state.size} tensors, ${(bytes.length / 2 ** 20).toFixed(1)} MiB)`);
  }
  if (dfgan) {
    lines.push("  load in PyTorch: torch.load(path, weights_only=True)['model'] holds netG, netD, netC for DF-GAN's NetG / NetD / NetC");
  } else if (req.format === 'pth') {
    lines.push('  load in PyTorch: net.load_state_dict(torch.load(path, weights_only=True)) into the original G_NET / D_NET / RNN_ENCODER / CNN_ENCODER');
  }
  if (manifest.options.attention_mask) lines.push(`  note: these weights expect attention_mask: ${manifest.options.attention_mask}`);
  return { lines, files };
}

/**
 * A checkpoint of a DF-GAN spec: its one discriminator holds `netD.*` and `netC.*` (the one-way
 * discriminator). Returns the three networks in DF-GAN's names, G's live weights (DF-GAN keeps no
 * average; the EMA when that is all there is), or null for any other model.
 */
function dfganNetworks(dir: string, manifest: ReturnType<typeof readManifest>): { networks: Record<DfganNetwork, PthWriteTensor[]>; epoch: number; files: string[] } | null {
  const entries = Object.entries(manifest.networks);
  const ds = entries.filter(([, n]) => n.network.startsWith('discriminator_'));
  if (ds.length !== 1) return null;
  const [dFile] = ds[0]!;
  const dState = readCheckpointTensors(dir, manifest, dFile);
  const names = [...dState.keys()];
  if (!names.length || !names.every((n) => n.startsWith('netD.') || n.startsWith('netC.'))) return null;
  const gs = entries.filter(([, n]) => n.network === 'generator');
  const g = gs.find(([, n]) => n.weights === 'live') ?? gs[0];
  if (!g) return null;
  const tensors = (state: ReturnType<typeof readCheckpointTensors>, prefix = ''): PthWriteTensor[] =>
    [...state].filter(([n]) => n.startsWith(prefix)).map(([name, t]) => ({ name: name.slice(prefix.length), shape: t.shape, data: t.data }));
  return {
    networks: { netG: tensors(readCheckpointTensors(dir, manifest, g[0])), netD: tensors(dState, 'netD.'), netC: tensors(dState, 'netC.') },
    epoch: g[1].epoch ?? manifest.progress.epoch,
    files: [...gs.map(([f]) => f), dFile],
  };
}
