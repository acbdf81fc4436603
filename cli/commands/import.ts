import type { Command } from 'commander';

interface ImportOptions {
  spec: string;
  generator: string;
  textEncoder: string;
  imageEncoder?: string;
  inception?: string;
  discriminator: string[];
  captions?: string;
  partial?: boolean;
  out: string;
  name: string;
  generated?: string;
}

export function register(program: Command): void {
  program
    .command('import')
    .description("PyTorch .pth weights of the original AttnGAN (netG, netD0…, text/image encoder) → an attnc checkpoint that `attnc sample`/`eval` use and `attnc train --resume` continues")
    .requiredOption('--spec <spec>', 'the spec whose generated model the weights fit, e.g. spec/attngan2.yaml (compile it first)')
    .requiredOption('--generator <pth>', "G_NET state_dict, e.g. bird_AttnGAN2.pth or netG_epoch_600.pth")
    .requiredOption('--text-encoder <pth>', 'RNN_ENCODER state_dict, e.g. text_encoder200.pth')
    .option('--image-encoder <pth>', 'CNN_ENCODER state_dict (Inception trunk + heads), e.g. image_encoder200.pth')
    .option('--inception <pth>', "torchvision's Inception-v3 ImageNet weights for the trunk (AuxLogits/fc are dropped)")
    .option('--discriminator <pth>', 'D_NET state_dict, once per stage in stage order (netD0.pth, netD1.pth, …), so `attnc train --resume` continues the GAN', (v: string, prev: string[]) => [...prev, v], [])
    .option('--captions <pickle>', "the dataset's captions.pickle: its vocabulary indexes the text encoder")
    .option('--partial', 'allow keys the files lack (warm starts); they keep their initial values and are listed')
    .requiredOption('--out <dir>', 'output folder: the checkpoint goes to <dir>/checkpoints/<name>/')
    .option('--name <name>', 'checkpoint name', 'imported')
    .option('--generated <dir>', "the spec's generated code, when compiled with -o (default generated/<name>)")
    .addHelpText(
      'after',
      `
Strict by default: keys missing from a file, keys the model lacks, and shape mismatches are listed
with names and both shapes, and nothing is written. Checkpoints of DataParallel ("module." keys),
PyTorch 0.3 files (legacy format, no num_batches_tracked) and files saved from a GPU model
(torch.cuda.FloatStorage) are read as they are.

To continue the original's GAN training, import its discriminators too (one --discriminator per
stage, in order) and run \`attnc train generated/<name> --resume <out>\`.

The released weights were trained with the original's attention-mask tiling (GlobalAttention.py:105,
docs/import-export.md); the checkpoint records attention_mask: original_bug so sampling reproduces it.

Example:
  attnc import --spec spec/attngan2.yaml --generator models/bird_AttnGAN2.pth \\
    --text-encoder DAMSMencoders/bird/text_encoder200.pth --image-encoder DAMSMencoders/bird/image_encoder200.pth \\
    --captions data/birds/captions.pickle --out runs/birds-original
  attnc import --spec spec/attngan2.yaml --generator output/Model/netG_epoch_600.pth \
    --discriminator output/Model/netD0.pth --discriminator output/Model/netD1.pth --discriminator output/Model/netD2.pth \
    --text-encoder DAMSMencoders/bird/text_encoder200.pth --captions data/birds/captions.pickle --out runs/birds-resume`,
    )
    .action(async (opts: ImportOptions, cmd: Command) => {
      const { initBackend, parseBackendChoice } = await import('../../runtime/backend/index.js');
      await initBackend(parseBackendChoice(cmd.optsWithGlobals().backend));
      const { runImport } = await import('../import-weights.js');
      const r = await runImport(opts);
      process.stdout.write(r.lines.join('\n') + '\n');
    });
}
