import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('report the TensorFlow backend, versions, threads and a speed probe')
    .option('--backend <name>', 'auto | tensorflow-gpu | tensorflow | wasm | cpu', process.env.ATTNC_BACKEND ?? 'auto')
    .action(async (opts: { backend: string }) => {
      const { parseBackendChoice, initBackend } = await import('../../../runtime/backend/index.js');
      const info = await initBackend(parseBackendChoice(opts.backend));
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    });
}
