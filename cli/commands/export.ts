import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('export')
    .description("a run's or checkpoint's weights → PyTorch .pth (or .safetensors) files named as the original names them")
    .argument('<checkpoint>', 'run folder, its checkpoints/ folder, or one checkpoint folder')
    .option('--format <format>', 'pth | safetensors', 'pth')
    .requiredOption('--out <dir>', 'output folder')
    .addHelpText(
      'after',
      `
.pth files are zip-format state_dicts using only OrderedDict, _rebuild_tensor_v2 and the storage
types, so torch.load(path, weights_only=True) accepts them; load_state_dict fills in BatchNorm's
num_batches_tracked. Files: netG_epoch_<n> (G's EMA weights), netD<i>, text_encoder<n>, image_encoder<n>.`,
    )
    .action(async (source: string, opts: { format: string; out: string }) => {
      if (opts.format !== 'pth' && opts.format !== 'safetensors') {
        // Loaded here, not at the top: the built CLI loads no runtime module at start-up.
        const { AttncError } = await import('../../runtime/util/errors.js');
        throw new AttncError('ATTNC_USAGE_OPTION', `--format must be pth or safetensors, not "${opts.format}"`);
      }
      const { runExport } = await import('../export-weights.js');
      process.stdout.write(runExport({ source, format: opts.format, out: opts.out }).lines.join('\n') + '\n');
    });
}
