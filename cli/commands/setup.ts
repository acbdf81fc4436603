import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('setup')
    .description('provision the native TensorFlow backend (the CPU library, as `npm install` does); with --gpu, the CUDA build of TensorFlow beside it')
    .option('--gpu', 'provision the GPU library: TensorFlow\'s CUDA wheel and the NVIDIA wheels it loads, from pip\'s index (or --from), into attnc\'s cache')
    .option('--from <folder>', 'with --gpu: take the wheels from this folder; nothing is downloaded')
    .option('--no-driver-check', 'with --gpu: provision even without a usable NVIDIA driver (e.g. a container image built without a GPU)')
    .action(async (opts: { gpu?: boolean; from?: string; driverCheck: boolean }) => {
      const { runSetup } = await import('../setup/command.js');
      process.exitCode = await runSetup(opts);
    });
}
