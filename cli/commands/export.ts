import type { Command } from 'commander';
import { initCliBackend, warnLine } from './model-target.js';

export function register(program: Command): void {
  program
    .command('export')
    .description("a run's or checkpoint's weights → PyTorch .pth (or .safetensors) files named as the original names them; or --format web: the model as a static web page")
    .argument('<checkpoint>', 'run folder, its checkpoints/ folder, or one checkpoint folder (--format web: also a spec, its untrained model)')
    .option('--format <format>', 'pth | safetensors | web', 'pth')
    .requiredOption('--out <dir>', 'output folder')
    .option('--generated <folder>', '--format web: generated model folder to load the checkpoint into (default: the one its manifest names)')
    .addHelpText(
      'after',
      `
.pth files are zip-format state_dicts using only OrderedDict, _rebuild_tensor_v2 and the storage
types, so torch.load(path, weights_only=True) accepts them; load_state_dict fills in BatchNorm's
num_batches_tracked. Files: netG_epoch_<n> (G's EMA weights), netD<i>, text_encoder<n>, image_encoder<n>.

--format web writes a folder that runs the model in a browser, offline, from any web server:
index.html, page.js and worker.js (the generated model and the runtime's inference code, bundled),
tfjs's WASM binaries, weights/ (text encoder and generator, safetensors), vocab.json and
manifest.json. \`attnc serve <checkpoint>\` exports to a temporary folder and serves it (docs/web.md).`,
    )
    .action(async (source: string, opts: { format: string; out: string; generated?: string }, cmd: Command) => {
      if (opts.format !== 'pth' && opts.format !== 'safetensors' && opts.format !== 'web') {
        // Loaded here, not at the top: the built CLI loads no runtime module at start-up.
        const { AttncError } = await import('../../runtime/util/errors.js');
        throw new AttncError('ATTNC_USAGE_OPTION', `--format must be pth, safetensors or web, not "${opts.format}"`);
      }
      if (opts.format === 'web') {
        await initCliBackend(cmd);
        const { exportWeb, loadWebTarget } = await import('../web-export.js');
        const target = await loadWebTarget(source, warnLine, opts.generated);
        try {
          process.stdout.write((await exportWeb(target, opts.out)).lines.join('\n') + '\n');
        } finally {
          target.model.dispose();
        }
        return;
      }
      const { runExport } = await import('../export-weights.js');
      process.stdout.write(runExport({ source, format: opts.format, out: opts.out }).lines.join('\n') + '\n');
    });
}
